import {usageError} from '../errors.js'

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
export function fileNames(layout: LayoutName, overrides: {cert?: string; key?: string; bundle?: string} = {}): SvidFileNames {
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
  if (!combined && new Set([names.cert, names.key, names.bundle]).size < 3) throw usageError('certificate, key and bundle file names must differ')
  return names
}
