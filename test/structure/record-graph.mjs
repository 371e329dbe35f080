// Loaded with `node --import` by import-graph.test.ts: records every module the process
// loads and writes them to $SVIDKIT_GRAPH_OUT: ESM URLs (one a line, appended by a resolve
// hook as they resolve), then at exit one JSON line with the CommonJS files in require's
// cache and the Node built-ins loaded (process.moduleLoadList).
import {createRequire, register} from 'node:module'
import {appendFileSync} from 'node:fs'

const out = process.env.SVIDKIT_GRAPH_OUT
const hooks = `
import {appendFileSync} from 'node:fs'
let out
export function initialize(data) { out = data.out }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  appendFileSync(out, r.url + '\\n')
  return r
}`
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {data: {out}})

process.on('exit', () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache)
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length))
  appendFileSync(out, JSON.stringify({cjs, builtins}) + '\n')
})
