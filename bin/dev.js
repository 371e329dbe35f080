#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript sources through tsx. Note that oclif loads
// commands from oclif.manifest.json (dist/) whenever it exists: run `npm run build` first.
// CommonJS, like bin/run.js (bin/package.json).
'use strict'
require('reflect-metadata')
const {join} = require('node:path')

// The package root itself: oclif looks for package.json upwards from what it is given.
void import('@oclif/core').then(({execute}) => execute({development: true, loadOptions: join(__dirname, '..')}))
