/**
 * parseCertificateDer reads every certificate of go-spiffe's test data (vendored) as the
 * former ASN.1-schema implementation did (asn1-oracle.ts): same fields, values and types.
 */
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {derTlvLength} from '../../../src/core/x509/der-read.js'
import {parsePemBlocks} from '../../../src/core/x509/pem.js'
import {GO_SPIFFE_DIR} from '../../helpers/go-spiffe.js'
import {both} from './asn1-oracle.js'

describe('parseCertificateDer agrees with the ASN.1-schema oracle', () => {
  it("every certificate of go-spiffe's test data", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) =>
        statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.pem') ? [join(dir, f)] : [],
      )
    let n = 0
    for (const file of files(GO_SPIFFE_DIR)) {
      let blocks
      try {
        blocks = parsePemBlocks(readFileSync(file, 'latin1'))
      } catch {
        continue // corrupted.pem and the like: not certificates
      }
      for (const b of blocks.filter((x) => x.type === 'CERTIFICATE')) {
        const {now, old} = both(b.der)
        if (derTlvLength(b.der) !== b.der.length) {
          // corrupted.pem: bytes after the Certificate, which the ASN.1 decoder ignored (readCertificates refuses them first).
          expect({file, now}).toStrictEqual({file, now: {ok: false}})
          continue
        }
        expect({file, now}).toStrictEqual({file, now: old})
        n += old.ok ? 1 : 0
      }
    }
    expect(n).toBeGreaterThan(10)
  })
})
