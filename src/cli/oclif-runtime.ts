/**
 * The oclif entry points bin/run.js uses. `npm run build` bundles this module together with
 * the commands (scripts/bundle.js), so the process start-up and the command it runs share
 * one copy of oclif, loaded from a few files instead of a hundred.
 */
export {execute, settings} from '@oclif/core'
