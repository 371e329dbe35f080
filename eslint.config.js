// ESLint flat config: @eslint/js recommended + typescript-eslint recommended (not type-aware, to keep
// `npm test` fast). `npm run lint` runs it; `npm test` runs lint first.
import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    // Build output, installs, generated files and test inputs that are data, not code.
    ignores: ['dist/', 'node_modules/', 'coverage/', 'scratch/', 'tmp/', 'oclif.manifest.json', 'test/fixtures/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // A disable comment that no longer silences anything is an error, so they cannot pile up.
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {...globals.node},
    },
    rules: {
      // `_name` marks a parameter or binding kept for its position or to drop a field from a rest.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true},
      ],
    },
  },
  {
    // bin/ is CommonJS (bin/package.json): start-up cost, see bin/run.js.
    files: ['bin/**/*.js'],
    languageOptions: {sourceType: 'commonjs'},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
