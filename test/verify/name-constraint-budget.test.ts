/**
 * Name-constraint work is bounded (issue 19 item 4): subtrees are compiled into sets, so the
 * work grows with the names checked, not with names x subtrees, and a budget stops inputs
 * that would still take long. Work is counted, never timed.
 */
import {describe, expect, it} from 'vitest'
import {verifyChain} from '../../src/core/verify/chain.js'
import {
  constraintViolation,
  nameConstraintBudget,
  NAME_CONSTRAINT_LIMITS,
} from '../../src/core/verify/name-constraints.js'
import {baseChain, dns, ip, nameConstraints, X509_AT} from './x509-kit.js'

describe('name-constraint budget', () => {
  it('8,192 DNS SANs against 16,385 excluded subtrees: work linear in the SANs, within the budget, verdict correct', async () => {
    const excluded = Array.from({length: 16_385}, (_, i) => dns(`x${i}.example.net`))
    const sans = Array.from({length: 8_192}, (_, i) => dns(`host${i}.example.com`))
    const c = await baseChain({inter: {nc: nameConstraints(undefined, excluded)}, leaf: {san: sans}})
    const b = nameConstraintBudget()
    expect(constraintViolation(c.inter, c.leaf, b)).toBeUndefined()
    const work = NAME_CONSTRAINT_LIMITS.maxWork - b.left
    // A few steps per SAN (one per label suffix looked up) plus one per subtree compiled: nowhere near SANs x subtrees (134 million).
    expect(work).toBeLessThanOrEqual(16_385 + 8_192 * 5 + 10)
    // A second path through the same CA costs nothing: the pair's result is kept.
    constraintViolation(c.inter, c.leaf, b)
    expect(NAME_CONSTRAINT_LIMITS.maxWork - b.left).toBe(work)
    expect(verifyChain({leaf: c.leaf, intermediates: [c.inter], roots: [c.root], at: X509_AT}).valid).toBe(true)
  })

  it('an input whose checking would exceed the budget is rejected with path-limit', async () => {
    // Every prefix length of IPv4 but /0 as an excluded subtree, none matching: each IP SAN costs 32 lookups.
    const excluded = Array.from({length: 32}, (_, i) => i + 1).map((len) =>
      ip(10, 0, 0, 0, ...[0, 1, 2, 3].map((k) => (0xff << (8 - Math.max(0, Math.min(8, len - 8 * k)))) & 0xff)),
    )
    const sans = Array.from({length: 8_192}, (_, i) => ip(200, 0, i >> 8, i & 0xff))
    const c = await baseChain({inter: {nc: nameConstraints(undefined, excluded)}, leaf: {san: sans}})
    const r = verifyChain({leaf: c.leaf, intermediates: [c.inter], roots: [c.root], at: X509_AT})
    expect({valid: r.valid, code: r.errors[0]?.code}).toEqual({valid: false, code: 'path-limit'})
    expect(r.errors[0].message).toContain('name-constraint checking stopped')
  })
})
