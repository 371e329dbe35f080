/** The human summary of `serve` (issue 20 item 16): causes only when a connection was not accepted. */
import {describe, expect, it} from 'vitest'
import {renderServerSummary} from '../../src/cli/render/handshake.js'
import type {ServerSummary} from '../../src/core/handshake/run-server.js'

const base: ServerSummary = {
  ok: true,
  port: 8443,
  connections: 3,
  accepted: 3,
  rejected: 0,
  failed: 0,
  reloads: 1,
  rejectedByCause: {},
}

describe('serve summary', () => {
  it('says nothing of causes when every connection was accepted', () => {
    const text = renderServerSummary(base).join('\n')
    expect(text).toContain("3 (3 accepted, 0 rejected by us, 0 failed on the client's side)")
    expect(text).not.toMatch(/cause/)
  })

  it('lists the causes of rejected and failed connections under one label', () => {
    const lines = renderServerSummary({
      ...base,
      ok: false,
      accepted: 1,
      rejected: 1,
      failed: 1,
      rejectedByCause: {'trust-domain-mismatch': 1, 'handshake-failed': 1},
    })
    expect(lines.find((l) => /cause/.test(l))).toMatch(
      /^ {2}not accepted, by cause {2}trust-domain-mismatch ×1, handshake-failed ×1$/,
    )
  })
})
