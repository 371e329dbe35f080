import {usageError} from '../errors.js'
import {systemClock, type Clock} from '../clock.js'
import type {Authority} from './authority.js'
import {createAuthority, createCaCredential, DEFAULT_INTERMEDIATE_TTL_MS} from './create.js'
import {BACKDATE_MS} from './profile.js'

/**
 * Returns the authority with a new CA that signs leaves: the last intermediate is
 * replaced by a new one (new key) under the same parent (docs/rotation.md "Knobs", `--kind intermediate`).
 */
export async function rotateIntermediate(a: Authority, clock: Clock = systemClock): Promise<Authority> {
  if (a.intermediates.length === 0) {
    throw usageError(
      '--kind intermediate needs a CA with at least one intermediate',
      'create the CA with --intermediates 1 or more',
    )
  }
  const old = a.intermediates.at(-1)!
  const parent = a.intermediates.at(-2) ?? a.roots[0]
  const now = Math.floor(clock.now().getTime() / 1000) * 1000
  const notAfter = Math.min(now + DEFAULT_INTERMEDIATE_TTL_MS, parent.cert.notAfter.getTime())
  const index = a.intermediates.length
  const credential = await createCaCredential({
    trustDomain: a.trustDomain.name,
    keyType: a.keyType,
    role: `intermediate CA ${a.generation}-${index} ${now / 1000}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    pathLen: old.cert.basicConstraints?.pathLen,
    nameConstraints: false,
    parent,
    certFile: `intermediate-${index}-${now / 1000}.pem`,
    keyFile: `intermediate-${index}-${now / 1000}-key.pem`,
  })
  return {...a, intermediates: [...a.intermediates.slice(0, -1), credential]}
}

async function nextRoot(a: Authority, clock: Clock): Promise<Authority> {
  const {authority} = await createAuthority({
    trustDomain: a.trustDomain,
    intermediates: a.intermediates.length,
    keyType: a.keyType,
    nameConstraints: a.nameConstraints,
    generation: a.generation + 1,
    clock,
  })
  return authority
}

/**
 * Returns the authority after a root rollover step (docs/rotation.md "Knobs", `--kind root --ca-overlap`): `add` publishes a
 * new root (and its chain) beside the old one, and the new chain signs from now on;
 * `drop-old` keeps only the active root; `none` replaces the root at once, no overlap.
 * `spiffe_sequence` goes up whenever the set of roots changes.
 */
export async function rotateRoot(
  a: Authority,
  overlap: 'add' | 'drop-old' | 'none',
  clock: Clock = systemClock,
): Promise<Authority> {
  if (overlap === 'drop-old') {
    if (a.roots.length === 1) return a
    return {...a, roots: [a.roots[0]], sequence: a.sequence + 1}
  }
  const next = await nextRoot(a, clock)
  const roots = overlap === 'add' ? [next.roots[0], ...a.roots] : [next.roots[0]]
  return {...a, roots, intermediates: next.intermediates, generation: next.generation, sequence: a.sequence + 1}
}
