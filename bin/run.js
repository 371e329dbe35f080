#!/usr/bin/env node
import 'reflect-metadata'
import {execute, settings} from '@oclif/core'

// Commands load from oclif.manifest.json and dist/: never look for TypeScript sources,
// even when NODE_ENV is development or test in the user's shell.
settings.enableAutoTranspile = false

await execute({dir: import.meta.url})
