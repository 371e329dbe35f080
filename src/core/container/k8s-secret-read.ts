import {SvidkitError} from '../errors.js'

/** One Secret read from a manifest: its name and its decoded `data` entries. */
export interface K8sSecret {
  name: string
  /** The document's index in the file, from 1. */
  document: number
  data: Record<string, Buffer>
}

const MAX_DOCUMENTS = 1000
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Returns true when `text` looks like a Kubernetes manifest holding a Secret (`kind: Secret` at the top level). */
export function looksLikeK8sSecret(text: string): boolean {
  return /^kind:[ \t]*["']?Secret["']?[ \t]*$/m.test(text) && /^apiVersion:/m.test(text)
}

function unquote(v: string): string {
  const t = v.trim()
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))))
    return t.slice(1, -1)
  return t
}

/**
 * Returns the Secrets of a manifest (one or many YAML documents separated by `---`): the block form
 * that `issue --layout k8s-secret` and `kubectl get secret -o yaml` write, read line by line
 * (top-level keys, `metadata.name`, and one-line `data`/`stringData` entries). Other documents
 * are skipped; YAML this reader does not handle (flow mappings, block scalars in `data`) is
 * refused naming the line, rather than read wrong. Throws `pem-invalid` when no Secret is found.
 */
export function parseK8sSecrets(text: string, source: string): K8sSecret[] {
  const bad = (line: number, why: string): never => {
    throw new SvidkitError('pem-invalid', `cannot read the Kubernetes Secret in "${source}" line ${line}: ${why}`, {
      hint: 'svidkit reads the block YAML that "svidkit issue --layout k8s-secret" and "kubectl get secret -o yaml" write',
    })
  }
  const secrets: K8sSecret[] = []
  let doc = {kind: '', name: '', data: {} as Record<string, Buffer>, section: '', index: 1}
  const flush = () => {
    if (doc.kind === 'Secret') secrets.push({name: doc.name, document: doc.index, data: doc.data})
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^(---|\.\.\.)([ \t].*)?$/.test(line)) {
      flush()
      if (doc.index >= MAX_DOCUMENTS) bad(i + 1, `more than ${MAX_DOCUMENTS} documents`)
      doc = {kind: '', name: '', data: {}, section: '', index: doc.index + 1}
      continue
    }
    if (/^\s*(#.*)?$/.test(line)) continue
    const m = /^( *)([^\s:#][^:]*?):(?:[ \t]+(.*?))?[ \t]*$/.exec(line)
    if (!m) {
      if (doc.section === 'data' || doc.section === 'stringData') bad(i + 1, 'expected "name: value"')
      continue // other parts of other documents: not ours to read
    }
    const [, indent, key, rawValue = ''] = m
    const value = rawValue.replace(/[ \t]+#.*$/, '')
    if (indent.length === 0) {
      doc.section = key
      if (key === 'kind') doc.kind = unquote(value)
      if ((key === 'data' || key === 'stringData') && value !== '') {
        if (value !== '{}') bad(i + 1, `"${key}" in flow style`)
      }
      continue
    }
    if (doc.section === 'metadata' && key === 'name' && indent.length <= 2) doc.name = unquote(value)
    if (doc.section !== 'data' && doc.section !== 'stringData') continue
    const v = unquote(value)
    if (/^[|>]/.test(v)) bad(i + 1, `a block scalar for "${key}"`)
    if (doc.section === 'data') {
      if (!BASE64.test(v) || v.length % 4 !== 0) bad(i + 1, `"${key}" is not base64`)
      doc.data[unquote(key)] = Buffer.from(v, 'base64')
    } else doc.data[unquote(key)] = Buffer.from(v, 'utf8')
  }
  flush()
  if (secrets.length === 0) {
    throw new SvidkitError('pem-invalid', `no Kubernetes Secret in "${source}"`, {
      hint: 'give a manifest with "kind: Secret" (svidkit issue --layout k8s-secret writes one)',
    })
  }
  return secrets
}
