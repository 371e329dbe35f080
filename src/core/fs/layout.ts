import {lstatSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {SvidkitError, usageError} from '../errors.js'

/** The SVID directory layouts (`svidkit issue --help`, "Layouts"). */
export const LAYOUTS = {
  'spiffe-helper': {cert: 'svid.pem', key: 'svid_key.pem', bundle: 'svid_bundle.pem'},
  spire: {cert: 'svid.pem', key: 'key.pem', bundle: 'bundle.pem'},
  k8s: {cert: 'tls.crt', key: 'tls.key', bundle: 'ca.crt'},
  // One file holding the key then the chain; the bundle is a separate file beside it.
  'credential-bundle': {cert: 'credentials.pem', key: 'credentials.pem', bundle: 'bundle.pem'},
} as const

/** A layout name. */
export type LayoutName = keyof typeof LAYOUTS

/** File names inside an SVID directory. */
export interface SvidFileNames {
  cert: string
  key: string
  bundle: string
  /** True when key and chain share one file (credential bundle). */
  combined: boolean
}

/** Returns the layout named by `text`, or throws a usage error. */
export function parseLayout(text: string): LayoutName {
  if (text in LAYOUTS) return text as LayoutName
  throw usageError(`unknown layout "${text}"`, `use one of: ${Object.keys(LAYOUTS).join(', ')}`)
}

/** Returns the file names of a layout with the user's overrides applied. */
export function fileNames(
  layout: LayoutName,
  overrides: {cert?: string; key?: string; bundle?: string} = {},
): SvidFileNames {
  const base = LAYOUTS[layout]
  const combined = layout === 'credential-bundle'
  const cert = overrides.cert ?? base.cert
  const names = {
    cert,
    key: combined ? cert : (overrides.key ?? base.key),
    bundle: overrides.bundle ?? base.bundle,
    combined,
  }
  for (const n of [names.cert, names.key, names.bundle]) {
    if (n === '' || n.includes('/') || n === '.' || n === '..')
      throw usageError(`invalid file name "${n}"`, 'file-name overrides are plain names inside the directory')
  }
  if (!combined && new Set([names.cert, names.key, names.bundle]).size < 3)
    throw usageError('certificate, key and bundle file names must differ')
  return names
}

/** Throws a usage error when `path` is "-" (standard input or output) where a directory is required. */
export function refuseStdioDir(path: string, flag: string): void {
  if (path === '-')
    throw usageError(
      `${flag} needs a directory, not "-"`,
      'only issue --out - writes to standard output (one SVID as PEM); give a directory path',
    )
}

/** A directory's layout and file names, as `resolveLayout` found them. */
export interface ResolvedLayout {
  layout: LayoutName
  names: SvidFileNames
  /** How the layout was chosen: given (`--layout`), detected from the files, or the caller's fallback. */
  source: 'given' | 'detected' | 'fallback'
}

/** Options of `resolveLayout`. */
export interface ResolveLayoutOptions {
  /** The layout to use without looking (`--layout`). Default: detected from the files present. */
  layout?: LayoutName
  /** File-name overrides (`--cert-file`, `--key-file`, `--bundle-file`), applied to every layout. */
  names?: {cert?: string; key?: string; bundle?: string}
  /**
   * For writers and watchers: the layout used when the path is not a directory yet (missing, or a
   * file the writer's own checks refuse) or holds no SVID files. Without it, those are errors.
   */
  fallback?: LayoutName
  /** The flag or argument naming the directory, for messages. Default `--dir`. */
  flag?: string
  /** The hint when `dir` is a file. */
  notDirectoryHint?: string
}

/** Files that svidkit writes into a directory but that are not a layout (`issue --format pkcs12`, `--layout k8s-secret`). */
const SINGLE_FILE_OUTPUTS: Record<string, string> = {
  'svid.p12':
    'PKCS#12 file (issue --format pkcs12): verify --dir reads it; elsewhere give it as a file, e.g. svidkit inspect DIR/svid.p12 --p12-password-file FILE',
  'secret.yaml':
    'Kubernetes Secret manifest (issue --layout k8s-secret): give it as a file, e.g. svidkit verify DIR/secret.yaml',
}

function present(dir: string, name: string): boolean {
  try {
    lstatSync(join(dir, name)) // the entry itself: a kubelet layout's names are links through ..data
    return true
  } catch {
    return false
  }
}

/**
 * Returns the layouts whose files `dir` holds, best first: a layout counts when its chain file and
 * its key or bundle file are there (a CSR directory has no key); layouts with all their files
 * win over partial ones. Layouts that the overrides make identical count once.
 */
export function detectLayouts(
  dir: string,
  overrides: ResolveLayoutOptions['names'] = {},
): {layout: LayoutName; files: string[]; complete: boolean}[] {
  const seen = new Set<string>()
  const found: {layout: LayoutName; files: string[]; complete: boolean}[] = []
  for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
    let n: SvidFileNames
    try {
      n = fileNames(layout, overrides)
    } catch {
      continue // overrides that make this layout impossible (two roles on one name): not a candidate
    }
    const key = `${n.cert}\0${n.key}\0${n.bundle}`
    if (seen.has(key)) continue
    seen.add(key)
    const wanted = [...new Set([n.cert, n.key, n.bundle])]
    const files = wanted.filter((f) => present(dir, f))
    if (!files.includes(n.cert) || (files.length < 2 && !n.combined)) continue
    found.push({layout, files, complete: files.length === wanted.length})
  }
  const complete = found.filter((f) => f.complete)
  return complete.length > 0 ? complete : found
}

/**
 * Returns the one file of an `issue --format pkcs12` or `--layout k8s-secret` directory (and, for
 * PKCS#12, the bundle file beside it), when `dir` holds one and no layout's files.
 */
export function singleFileOutput(dir: string): {file: string; bundle?: string} | undefined {
  const name = Object.keys(SINGLE_FILE_OUTPUTS).find((f) => present(dir, f))
  if (!name || detectLayouts(dir).length > 0) return undefined
  const bundle =
    name === 'svid.p12'
      ? [...new Set(Object.values(LAYOUTS).map((l) => l.bundle))].find((b) => present(dir, b))
      : undefined
  return {file: join(dir, name), bundle: bundle === undefined ? undefined : join(dir, bundle)}
}

/**
 * Returns the layout and file names of the SVID directory `dir`: the given layout, else the one
 * whose files are present. Throws `file-not-found` when the directory does not exist or holds no
 * SVID files (unless `fallback`), `not-a-directory` for a file, and a usage error naming the
 * candidates when the files of several layouts are present.
 */
export function resolveLayout(dir: string, o: ResolveLayoutOptions = {}): ResolvedLayout {
  const flag = o.flag ?? '--dir'
  refuseStdioDir(dir, flag)
  let st
  try {
    st = statSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if ((code === 'ENOENT' || code === 'ENOTDIR') && o.fallback !== undefined) {
      const layout = o.layout ?? o.fallback
      return {layout, names: fileNames(layout, o.names), source: o.layout ? 'given' : 'fallback'}
    }
    if (code === 'ENOENT') {
      throw new SvidkitError('file-not-found', `directory "${dir}" does not exist`, {
        path: dir,
        cause: err,
        hint: `check the path given to ${flag}, or create the SVID directory first (svidkit issue --out ${dir})`,
      })
    }
    if (code === 'ENOTDIR')
      throw new SvidkitError('not-a-directory', `"${dir}" is under a file, not a directory`, {path: dir, cause: err})
    throw new SvidkitError(
      code === 'EACCES' ? 'permission-denied' : 'file-not-found',
      `cannot read directory "${dir}": ${code ?? String(err)}`,
      {
        path: dir,
        cause: err,
      },
    )
  }
  if (!st.isDirectory()) {
    if (o.fallback !== undefined)
      return {
        layout: o.layout ?? o.fallback,
        names: fileNames(o.layout ?? o.fallback, o.names),
        source: o.layout ? 'given' : 'fallback',
      }
    throw new SvidkitError('not-a-directory', `"${dir}" is a file, not a directory`, {
      path: dir,
      hint:
        o.notDirectoryHint ??
        `${flag} takes the directory that holds the SVID files ("${dirname(dir)}"), not one of them`,
    })
  }
  if (o.layout !== undefined) return {layout: o.layout, names: fileNames(o.layout, o.names), source: 'given'}
  const all = detectLayouts(dir, o.names)
  // A layout whose files include every other candidate's (a separate key file beside a chain and
  // bundle that credential-bundle would also read) is the one the directory holds.
  const widest = all.find((f) => all.every((g) => g.files.every((n) => f.files.includes(n))))
  const found = widest ? [widest] : all
  if (found.length === 1)
    return {layout: found[0].layout, names: fileNames(found[0].layout, o.names), source: 'detected'}
  if (found.length > 1) {
    const list = found.map((f) => `${f.layout} (${f.files.join(', ')})`).join(', ')
    throw usageError(
      `"${dir}" holds the files of several layouts: ${list}`,
      `choose one with ${found.map((f) => `--layout ${f.layout}`).join(' or ')}`,
    )
  }
  if (o.fallback !== undefined) return {layout: o.fallback, names: fileNames(o.fallback, o.names), source: 'fallback'}
  const single = Object.keys(SINGLE_FILE_OUTPUTS).find((f) => present(dir, f))
  const looked = (Object.keys(LAYOUTS) as LayoutName[]).map(
    (l) =>
      `${l}: ${[...new Set(Object.values(fileNames(l, o.names)).filter((v) => typeof v === 'string'))].join(', ')}`,
  )
  throw new SvidkitError('file-not-found', `no SVID files in "${dir}" (looked for ${looked.join('; ')})`, {
    path: dir,
    hint: single
      ? `it holds a ${SINGLE_FILE_OUTPUTS[single].replace('DIR', dir)}`
      : `give the directory svidkit issue --out wrote, or name the files with --layout and --cert-file/--key-file/--bundle-file`,
  })
}
