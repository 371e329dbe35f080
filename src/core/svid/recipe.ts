/**
 * The one seam of issuance: a `LeafRecipe` says where a leaf departs from the X509-SVID
 * profile (X509-SVID §4). The profile recipe is the empty recipe: it departs from nothing,
 * so normal issuance runs no hook at all. Deliberate defects (core/defects) are recipes
 * handed to issuance, never branches inside it; this folder does not know them.
 */
import type {KeyObject} from 'node:crypto'
import type {Authority} from '../ca/authority.js'
import type {CertificateTemplate} from '../x509/build.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {KeyType} from '../x509/key-type.js'
import type {X509Svid} from './svid.js'

/** What a recipe hook knows about the leaf being issued. */
export interface LeafContext {
  /** The SPIFFE ID of the leaf, as text. */
  id: string
  /** The trust domain name of the authority. */
  trustDomain: string
  authority: Authority
  /** The issuance instant. */
  now: Date
  /** Key type asked for (default ec-p256). */
  keyType: KeyType
  /** The seed keys and serials derive from (x509/seeded.ts), when there is one: a recipe derives its own under labels of its own. */
  seed?: string
}

/** Who signs a leaf and what follows it in the chain file. */
export interface LeafSigner {
  cert: ParsedCertificate
  key: KeyObject
  /** The chain above the leaf; default the authority's intermediates. */
  chain?: ParsedCertificate[]
}

/** What issuance made before it is handed out: the leaf and the chain above it. */
export interface LeafResult {
  leaf: ParsedCertificate
  chain: ParsedCertificate[]
  /** A key to hand out instead of the leaf's own. Default: the leaf's own key. */
  replacementKey?: KeyObject
}

/** One line of the issuance report about a departure from the profile (issue --json "defects"). */
export interface LeafNote {
  name: string
  /** The reason code `verify` reports for it. */
  code: string
  /** The rule it breaks. */
  rule: string
}

/**
 * Where a leaf departs from the X509-SVID profile. Every field is optional; `{}` (the
 * profile recipe) issues a spec-correct SVID.
 */
export interface LeafRecipe {
  /** Returns who signs the leaf (default the authority's signing CA) and the chain above it. */
  signer?: (ctx: LeafContext) => Promise<LeafSigner>
  /** Returns [notBefore, notAfter]; replaces the requested validity and its cap at the chain's notAfter. Default: none. */
  validity?: (now: Date) => [Date, Date]
  /** Edits the leaf template after the profile is applied. Default: none. */
  template?: (t: CertificateTemplate, ctx: LeafContext) => void
  /** Returns the leaf and chain to hand out (and maybe another key), edited after signing. Default: as made. */
  result?: (r: LeafResult, ctx: LeafContext) => Promise<LeafResult>
  /**
   * Checks the issued SVID instead of the profile self-check (leaf-check.ts); throws when it
   * is not what the recipe promises. Default: the profile self-check.
   */
  check?: (svid: X509Svid, bundle: ParsedCertificate[], now: Date) => void
  /** What the report says about the departures (IssueResult.defects). Default: none. */
  notes?: LeafNote[]
}

/** The profile recipe: departs from nothing. */
export const PROFILE_RECIPE: LeafRecipe = Object.freeze({})
