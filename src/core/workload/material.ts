/**
 * What the Workload API test server hands out: the authority, the SVIDs issued from it
 * (through the issuance core), the bundle as published to clients, and the federated
 * bundles; and the Workload API messages built from them (SPIFFE Workload API,
 * X509SVIDResponse and X509BundlesResponse: DER certificates concatenated, PKCS#8 DER key).
 */
import {issueSvid, type IssuedSvid} from '../svid/issue.js'
import {svidKeyPkcs8} from '../svid/svid.js'
import {recipeFor} from '../defects/index.js'
import type {LeafRecipe} from '../svid/recipe.js'
import {bundleAuthorities, type Authority} from '../ca/authority.js'
import {rotateIntermediate, rotateRoot} from '../ca/rotate.js'
import {systemClock, type Clock} from '../clock.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {KeyType} from '../x509/key-type.js'
import type {CaOverlap, IdentitySpec, RotationKind} from './options.js'
import type {SentSvid} from './events.js'
import {JwtAuthority} from './jwt.js'

/** The X509SVID message of the proto, field names as in workload.proto. */
export interface X509SvidMessage {
  spiffe_id: string
  x509_svid: Buffer
  x509_svid_key: Buffer
  bundle: Buffer
  hint: string
}

export interface X509SvidResponse {
  svids: X509SvidMessage[]
  crl: Buffer[]
  federated_bundles: Record<string, Buffer>
}

export interface X509BundlesResponse {
  crl: Buffer[]
  bundles: Record<string, Buffer>
}

/** JWTBundlesResponse: SPIFFE ID of the trust domain -> JWKS document bytes. */
interface JwtBundlesResponse {
  bundles: Record<string, Buffer>
}

/** Issuance settings shared by every SVID of the server. */
interface IssueSettings {
  keyType?: KeyType
  ttlMs?: number
  clock?: Clock
  /** Seed of keys and serials (docs/fixtures.md); each SVID of each rotation gets its own label. */
  seed?: string
}

const derOf = (certs: readonly ParsedCertificate[]): Buffer => Buffer.concat(certs.map((c) => c.der))

/** Returns the mutable material of one server; every change is made through its methods. */
export class Material {
  svids: {spec: IdentitySpec; issued: IssuedSvid}[] = []
  /** The roots clients are told about; lags `authority` while a bundle is held back. */
  publishedRoots: ParsedCertificate[]
  /** The defect leaves carry (a recipe of core/defects); none: the profile. */
  private recipe?: LeafRecipe
  emptyBundle = false
  rotations = 0

  private constructor(
    public authority: Authority,
    private readonly specs: IdentitySpec[],
    private readonly federated: Map<string, ParsedCertificate[]>,
    private readonly settings: IssueSettings,
    /** The trust domain's JWT authority (one key for the server's life). */
    readonly jwt: JwtAuthority,
  ) {
    this.publishedRoots = bundleAuthorities(authority)
  }

  /** Returns material with every identity issued. Throws the issuance errors (usage, ca-expired). */
  static async create(
    authority: Authority,
    specs: IdentitySpec[],
    federated: Map<string, ParsedCertificate[]>,
    settings: IssueSettings,
    defect?: string,
  ): Promise<Material> {
    const m = new Material(authority, specs, federated, settings, await JwtAuthority.create(settings.seed))
    if (defect) m.setDefect(defect)
    await m.reissue()
    return m
  }

  /** Makes the next issuance carry the defect `name` of the catalogue (a usage error for an unknown one). */
  setDefect(name: string): void {
    this.recipe = recipeFor([name])
  }

  /** Drops the defect of the leaves; returns whether there was one (the SVIDs then need reissuing). */
  clearDefect(): boolean {
    const had = this.recipe !== undefined
    this.recipe = undefined
    return had
  }

  get trustDomainId(): string {
    return `spiffe://${this.authority.trustDomain.name}`
  }

  /** Issues a new SVID (new key, new serial) for every identity from the current signing CA. */
  async reissue(): Promise<void> {
    const clock = this.settings.clock ?? systemClock
    this.svids = await Promise.all(
      this.specs.map(async (spec) => ({
        spec,
        issued: await issueSvid(this.authority, {
          spiffeId: spec.spiffeId,
          keyType: this.settings.keyType,
          ttlMs: this.settings.ttlMs,
          clock,
          ...(this.settings.seed === undefined
            ? {}
            : {seed: `${this.settings.seed}/${spec.spiffeId}/${this.rotations}`}),
          recipe: this.recipe,
        }),
      })),
    )
  }

  /**
   * Rotates: `leaf` re-issues; `intermediate` and `root` change the CA through the CA
   * rotation core first. A root `add` keeps at most the new and the previous root in the
   * bundle. With `holdBundle`, clients keep seeing the old bundle until `publishBundle()`.
   * Returns whether the SVIDs were re-issued.
   */
  async rotate(
    kind: RotationKind,
    overlap: CaOverlap,
    opts: {reissue?: boolean; holdBundle?: boolean} = {},
  ): Promise<boolean> {
    const clock = this.settings.clock ?? systemClock
    if (kind === 'intermediate') this.authority = await rotateIntermediate(this.authority, clock)
    if (kind === 'root') {
      const next = await rotateRoot(this.authority, overlap, clock)
      this.authority = {...next, roots: next.roots.slice(0, 2)}
    }
    const reissue = opts.reissue ?? !(kind === 'root' && overlap === 'drop-old')
    if (reissue) await this.reissue()
    if (!opts.holdBundle) this.publishBundle()
    this.rotations++
    return reissue
  }

  /** Publishes the authority's current roots to clients. */
  publishBundle(): void {
    this.publishedRoots = bundleAuthorities(this.authority)
  }

  private ownBundle(): Buffer {
    return this.emptyBundle ? Buffer.alloc(0) : derOf(this.publishedRoots)
  }

  private federatedBundles(): Record<string, Buffer> {
    const out: Record<string, Buffer> = {}
    for (const [td, certs] of this.federated) out[td] = this.emptyBundle ? Buffer.alloc(0) : derOf(certs)
    return out
  }

  /** Returns the full X509SVIDResponse for the current state. */
  x509SvidResponse(): X509SvidResponse {
    const bundle = this.ownBundle()
    return {
      svids: this.svids.map(({spec, issued}) => ({
        spiffe_id: spec.spiffeId,
        x509_svid: derOf(issued.svid.certificates),
        x509_svid_key: Buffer.from(svidKeyPkcs8(issued.svid) ?? new Uint8Array(0)),
        bundle,
        hint: spec.hint,
      })),
      crl: [],
      federated_bundles: this.federatedBundles(),
    }
  }

  /** Returns the full X509BundlesResponse: the own trust domain and every federated one. */
  x509BundlesResponse(): X509BundlesResponse {
    return {crl: [], bundles: {[this.trustDomainId]: this.ownBundle(), ...this.federatedBundles()}}
  }

  /** Returns the full JWTBundlesResponse: the own trust domain's JWT bundle as a SPIFFE JWKS. */
  jwtBundlesResponse(): JwtBundlesResponse {
    return {bundles: {[this.trustDomainId]: Buffer.from(JSON.stringify(this.jwt.jwks(this.emptyBundle)))}}
  }

  /** Returns the identities served, in order. */
  get identities(): IdentitySpec[] {
    return this.specs
  }

  /** Returns what the SVIDs of a message are, for events. */
  sentSvids(): SentSvid[] {
    return this.svids.map(({spec, issued}) => ({
      spiffeId: spec.spiffeId,
      serial: issued.svid.certificates[0]?.serial ?? '',
      hint: spec.hint,
      chain: issued.svid.certificates.slice(1).map((c) => c.serial),
    }))
  }

  /** Returns the root serials per trust domain of the bundles sent, for events. */
  sentBundles(): Record<string, string[]> {
    const out: Record<string, string[]> = {
      [this.trustDomainId]: this.emptyBundle ? [] : this.publishedRoots.map((c) => c.serial),
    }
    for (const [td, certs] of this.federated) out[td] = this.emptyBundle ? [] : certs.map((c) => c.serial)
    return out
  }
}
