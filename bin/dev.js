#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript sources through tsx. Note that oclif loads
// commands from oclif.manifest.json (dist/) whenever it exists: run `npm run build` first.
import 'reflect-metadata'
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
