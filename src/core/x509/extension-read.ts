/**
 * The extension values svidkit reads (RFC 5280 §4.2.1), decoded with the strict reader of
 * der-read.ts. Each function takes the DER inside the extension's OCTET STRING and
 * throws an Error when it is not exactly one value of the extension's syntax.
 * subjectAltName has its own reader (general-names.ts).
 */
import {nameText} from './name-text.js'
import {
  booleanOf,
  bufferOf,
  childrenOf,
  contentOf,
  elementOf,
  expectTag,
  integerOf,
  oidOf,
  readWhole,
  type DerBudget,
  type Tlv,
} from './der-read.js'

const hex = (b: Uint8Array): string => bufferOf(b).toString('hex')

/** basicConstraints (§4.2.1.9): SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
export function readBasicConstraints(value: Uint8Array, budget: DerBudget): {ca: boolean; pathLen: number | undefined} {
  const parts = childrenOf(value, readWhole(value, 0x30, 'basicConstraints'), 'basicConstraints', budget)
  let i = 0
  const ca = parts[i]?.tag === 0x01 ? booleanOf(value, parts[i++], 'basicConstraints cA') : false
  const pathLen =
    parts[i]?.tag === 0x02 ? integerOf(value, parts[i++], 'basicConstraints pathLenConstraint') : undefined
  if (i !== parts.length) throw new Error('basicConstraints: unexpected element after cA and pathLenConstraint')
  return {ca, pathLen}
}

/**
 * keyUsage (§4.2.1.3): a BIT STRING of named bits. Returns the first nine bits as a
 * number with named bit k at 2^k (digitalSignature = 1 … decipherOnly = 256); the
 * unused bits of the last byte do not count.
 */
export function readKeyUsageBits(value: Uint8Array): number {
  const t = readWhole(value, 0x03, 'keyUsage')
  const content = contentOf(value, t)
  const unused = content[0]
  if (content.length === 0 || unused > 7 || (content.length === 1 && unused !== 0))
    throw new Error('keyUsage: malformed BIT STRING')
  const bitCount = (content.length - 1) * 8 - unused
  let bits = 0
  for (let k = 0; k < Math.min(9, bitCount); k++) if (content[1 + (k >> 3)] & (0x80 >> (k & 7))) bits |= 1 << k
  return bits
}

/** extKeyUsage (§4.2.1.12): SEQUENCE OF KeyPurposeId (OBJECT IDENTIFIER). */
export function readExtKeyUsage(value: Uint8Array, budget: DerBudget): string[] {
  return childrenOf(value, readWhole(value, 0x30, 'extKeyUsage'), 'extKeyUsage', budget).map((t) =>
    oidOf(value, t, 'extKeyUsage KeyPurposeId'),
  )
}

/** subjectKeyIdentifier (§4.2.1.2): an OCTET STRING; returns its hex. */
export function readSubjectKeyId(value: Uint8Array): string {
  return hex(contentOf(value, readWhole(value, 0x04, 'subjectKeyIdentifier')))
}

/**
 * authorityKeyIdentifier (§4.2.1.1): SEQUENCE { keyIdentifier [0], authorityCertIssuer [1],
 * authorityCertSerialNumber [2] }, each optional, in that order. Returns the hex of the
 * keyIdentifier, or undefined without one.
 */
export function readAuthorityKeyId(value: Uint8Array, budget: DerBudget): string | undefined {
  const parts = childrenOf(value, readWhole(value, 0x30, 'authorityKeyIdentifier'), 'authorityKeyIdentifier', budget)
  let i = 0
  const keyId = parts[i]?.tag === 0x80 ? hex(contentOf(value, parts[i++])) : undefined
  if (parts[i]?.tag === 0xa1) i++
  if (parts[i]?.tag === 0x82) i++
  if (i !== parts.length) throw new Error('authorityKeyIdentifier: unexpected element')
  return keyId
}

/** One name of a name-constraints subtree, reduced to its type and text, with its DER content for byte-wise matching. */
export interface ConstraintName {
  /** `dn` is a directoryName; `other` an otherName, x400Address, ediPartyName or registeredID (forms svidkit does not match). */
  type: 'uri' | 'dns' | 'email' | 'ip' | 'dn' | 'other'
  value: string
  /** The base's content bytes (for `ip`: address then mask; for `dn`: the Name's DER, header included). */
  raw?: Uint8Array
  /** The subtree has a minimum other than 0 or a maximum, which RFC 5280 §4.2.1.10 forbids. */
  minMax?: boolean
}

/** IPv6 text with the longest run (of two or more) of zero groups written as `::`, the first such run on a tie. */
function ipv6Text(b: Uint8Array): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16))
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen) [best, bestLen] = [i, j - i]
    i = j === i ? i + 1 : j
  }
  if (bestLen < 2) return groups.join(':')
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`
}

/**
 * The text of an iPAddress constraint (§4.2.1.10: address and mask, 8 or 32 bytes):
 * `address/prefix length` with the mask's one bits counted; plain addresses for 4 or 16
 * bytes and hex for any other length, as svidkit has always reported them.
 */
function ipConstraintText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.')
  if (b.length === 16) return ipv6Text(b)
  if (b.length === 8 || b.length === 32) {
    if (b.every((x) => x === 0)) return b.length === 8 ? '0.0.0.0/0' : '::/0'
    const half = b.length / 2
    let prefix = 0
    for (const x of b.subarray(half)) for (let m = x; m; m &= m - 1) prefix++
    return `${b.length === 8 ? [...b.subarray(0, half)].join('.') : ipv6Text(b.subarray(0, half))}/${prefix}`
  }
  return hex(b)
}

/** GeneralName (§4.2.1.6) tags: the IA5String kinds, iPAddress and directoryName are read; the other kinds only marked 'other'. */
function generalName(der: Uint8Array, t: Tlv, budget: DerBudget): ConstraintName {
  const text = () => bufferOf(contentOf(der, t)).toString('latin1')
  switch (t.tag) {
    case 0x86:
      return {type: 'uri', value: text()}
    case 0x82:
      return {type: 'dns', value: text()}
    case 0x81:
      return {type: 'email', value: text()}
    case 0x87:
      return {type: 'ip', value: ipConstraintText(contentOf(der, t)), raw: contentOf(der, t)}
    case 0xa4: {
      // directoryName [4] EXPLICIT Name
      const inner = childrenOf(der, t, 'nameConstraints directoryName', budget)
      if (inner.length !== 1 || inner[0].tag !== 0x30)
        throw new Error('nameConstraints: directoryName holds exactly one Name')
      return {type: 'dn', value: nameText(elementOf(der, inner[0]), budget), raw: elementOf(der, inner[0])}
    }
    case 0xa0: // otherName
    case 0xa3: // x400Address
    case 0xa5: // ediPartyName
    case 0x88: // registeredID
      return {type: 'other', value: ''}
    default:
      throw new Error(`nameConstraints: unknown GeneralName tag 0x${t.tag.toString(16)}`)
  }
}

/** GeneralSubtrees: SEQUENCE OF GeneralSubtree { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }. */
function subtrees(der: Uint8Array, t: Tlv, what: string, budget: DerBudget): ConstraintName[] {
  return childrenOf(der, t, what, budget).map((s) => {
    const parts = childrenOf(der, expectTag(s, 0x30, `${what} GeneralSubtree`), `${what} GeneralSubtree`, budget)
    if (parts.length === 0) throw new Error(`${what}: GeneralSubtree without a base`)
    let i = 1
    let minMax = false
    if (parts[i]?.tag === 0x80) minMax = integerOf(der, parts[i++], `${what} minimum`) !== 0
    if (parts[i]?.tag === 0x81) {
      integerOf(der, parts[i++], `${what} maximum`)
      minMax = true
    }
    if (i !== parts.length) throw new Error(`${what}: unexpected element in a GeneralSubtree`)
    const name = generalName(der, parts[0], budget)
    return minMax ? {...name, minMax} : name
  })
}

/**
 * nameConstraints (§4.2.1.10): SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }.
 * `emptyList` is set when a subtree list is present but empty (GeneralSubtrees is SIZE (1..MAX)).
 */
export function readNameConstraints(
  value: Uint8Array,
  budget: DerBudget,
): {permitted: ConstraintName[]; excluded: ConstraintName[]; emptyList?: boolean} {
  const parts = childrenOf(value, readWhole(value, 0x30, 'nameConstraints'), 'nameConstraints', budget)
  let i = 0
  let emptyList = false
  const list = (what: string): ConstraintName[] => {
    const names = subtrees(value, parts[i++], what, budget)
    if (names.length === 0) emptyList = true
    return names
  }
  const permitted = parts[i]?.tag === 0xa0 ? list('nameConstraints permittedSubtrees') : []
  const excluded = parts[i]?.tag === 0xa1 ? list('nameConstraints excludedSubtrees') : []
  if (i !== parts.length) throw new Error('nameConstraints: unexpected element after the subtrees')
  return emptyList ? {permitted, excluded, emptyList} : {permitted, excluded}
}
