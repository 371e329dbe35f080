import {usageError} from '../errors.js'

/** The file `--layout k8s-secret` writes. */
export const K8S_SECRET_FILE = 'secret.yaml'

// A DNS-1123 subdomain (what Kubernetes accepts as a Secret name): at most 253 characters.
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Returns the Secret name for a SPIFFE ID when none is given: `svid-` and the ID's path, made DNS-1123 safe. */
export function defaultSecretName(spiffeId: string): string {
  const path = spiffeId.replace(/^spiffe:\/\/[^/]*/, '')
  const slug = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return `svid-${slug}`.slice(0, 253).replace(/-+$/, '') || 'svid'
}

/** Returns the name if Kubernetes accepts it as a Secret name; throws a usage error otherwise. */
export function checkedSecretName(name: string): string {
  if (name.length > 253 || !DNS1123.test(name)) {
    throw usageError(
      `invalid Secret name "${name}"`,
      'a Kubernetes Secret name is a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", at most 253 characters',
    )
  }
  return name
}

/**
 * Returns a Kubernetes Secret manifest of type kubernetes.io/tls: `tls.crt` (chain),
 * `tls.key` (PKCS#8 key) and `ca.crt` (trust bundle), base64 in `data`.
 */
export function k8sSecretYaml(o: {name: string; chainPem: string; keyPem: string; bundlePem: string}): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${o.name}`,
    'type: kubernetes.io/tls',
    'data:',
    `  tls.crt: ${b64(o.chainPem)}`,
    `  tls.key: ${b64(o.keyPem)}`,
    `  ca.crt: ${b64(o.bundlePem)}`,
    '',
  ].join('\n')
}
