import {configDefaults, defineConfig} from 'vitest/config'
import {conformanceExcludes} from './test/helpers/shared-dir.js'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files that need ../shared/conformance are left out, with one line, when it is absent.
    exclude: [...configDefaults.exclude, ...conformanceExcludes()],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
