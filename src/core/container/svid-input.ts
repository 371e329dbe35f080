import {X509Certificate, type KeyObject} from 'node:crypto'
import {SvidkitError, usageError} from '../errors.js'
import {passwordNeeded} from '../x509/password.js'
import {keyMatches, keyTypeOfKeyObject, readPrivateKey, type PrivateKeyMaterial} from '../x509/keys.js'
import {hasPemArmour, toPem} from '../x509/pem.js'
import {looksLikeK8sSecret, parseK8sSecrets, type K8sSecret} from './k8s-secret-read.js'
import {looksLikePkcs12, readPkcs12} from './pkcs12-read.js'

/** Passwords and choices for reading an SVID from a container file. */
export interface SvidInputOptions {
  /** The PKCS#12 password (`--p12-password-file`). */
  p12Password?: string
  /** The password of an encrypted PKCS#8 key (`--key-password-file`). */
  keyPassword?: string
  /** Which Secret of a manifest holding several (`--secret-name`). */
  secretName?: string
}

/** What an SVID file gave: the chain as PEM or DER bytes, and the key and bundle when the container holds them. */
export interface SvidInput {
  /** `pem` (or DER) for a plain chain file; else the container it came from. */
  container: 'plain' | 'pkcs12' | 'k8s-secret'
  chain: Buffer
  /** Where the chain came from, for messages ("secret.yaml: svid-web tls.crt"). */
  chainSource: string
  key?: PrivateKeyMaterial
  bundle?: {bytes: Buffer; source: string}
  /** A PKCS#12 file: how it is protected. */
  protection?: string
}

/** Returns the kind of container `bytes` are: a PKCS#12 file, a Kubernetes Secret manifest, or anything else. */
export function containerKind(bytes: Uint8Array): 'pkcs12' | 'k8s-secret' | 'plain' {
  if (looksLikePkcs12(bytes)) return 'pkcs12'
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64 * 1024))).toString('utf8')
  if (!hasPemArmour(head) && looksLikeK8sSecret(head)) return 'k8s-secret'
  return 'plain'
}

function matches(key: KeyObject, der: Uint8Array): boolean {
  try {
    return keyMatches(key, new X509Certificate(der))
  } catch {
    return false // an unreadable certificate is reported when the chain is read
  }
}

function keyMaterial(key: KeyObject): PrivateKeyMaterial {
  return {keyObject: key, format: 'pkcs8', keyType: keyTypeOfKeyObject(key), warnings: []}
}

/** Returns the one Secret to read: the named one, or the only one. */
function chooseSecret(secrets: K8sSecret[], source: string, name?: string): K8sSecret {
  const names = secrets.map((s) => `"${s.name || `(document ${s.document})`}"`).join(', ')
  if (name !== undefined) {
    const found = secrets.find((s) => s.name === name)
    if (!found) throw usageError(`no Secret named "${name}" in "${source}" (it holds ${names})`)
    return found
  }
  if (secrets.length > 1)
    throw usageError(`"${source}" holds ${secrets.length} Secrets (${names}): choose one with --secret-name`)
  return secrets[0]
}

/**
 * Returns the chain (and key and bundle, when the file holds them) of an SVID file: a PKCS#12
 * file (chain leaf first: the certificate of the key, then the others in file order), a
 * Kubernetes Secret manifest (`tls.crt`, `tls.key`, `ca.crt`), or a plain PEM/DER file
 * (returned as is). Throws `passwordNeeded` for a PKCS#12 file without its password.
 */
export function readSvidInput(bytes: Buffer, source: string, o: SvidInputOptions = {}): SvidInput {
  const kind = containerKind(bytes)
  if (kind === 'pkcs12') {
    if (o.p12Password === undefined) throw passwordNeeded('p12', source)
    const p = readPkcs12(bytes, o.p12Password, source)
    if (p.certificates.length === 0) throw new SvidkitError('pem-invalid', `no certificate in PKCS#12 "${source}"`)
    const key = p.keys[0]
    const leaf = key ? p.certificates.findIndex((c) => matches(key, c)) : -1
    const ordered = leaf > 0 ? [p.certificates[leaf], ...p.certificates.filter((_, i) => i !== leaf)] : p.certificates
    return {
      container: 'pkcs12',
      chain: Buffer.from(ordered.map((c) => toPem('CERTIFICATE', c)).join('')),
      chainSource: source,
      key: key ? keyMaterial(key) : undefined,
      protection: p.protection,
    }
  }
  if (kind === 'k8s-secret') {
    const s = chooseSecret(parseK8sSecrets(bytes.toString('utf8'), source), source, o.secretName)
    const at = (entry: string) => `${source}: ${s.name || `document ${s.document}`} ${entry}`
    const chain = s.data['tls.crt']
    if (!chain)
      throw new SvidkitError('pem-invalid', `the Secret in "${source}" has no "tls.crt" entry`, {
        hint: 'an SVID Secret is of type kubernetes.io/tls',
      })
    return {
      container: 'k8s-secret',
      chain,
      chainSource: at('tls.crt'),
      key: s.data['tls.key'] ? readPrivateKey(s.data['tls.key'], at('tls.key'), {password: o.keyPassword}) : undefined,
      bundle: s.data['ca.crt'] ? {bytes: s.data['ca.crt'], source: at('ca.crt')} : undefined,
    }
  }
  return {container: 'plain', chain: bytes, chainSource: source}
}
