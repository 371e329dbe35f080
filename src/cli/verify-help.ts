/**
 * The help of `svidkit verify` (commands/verify.ts): its description and examples. The
 * rules each check applies are in docs/verification.md.
 */
import {describe} from './exit-codes.js'

export const VERIFY_SUMMARY = 'Verify an X509-SVID the way a SPIFFE peer does, and explain every check'

export const VERIFY_DESCRIPTION = describe(`
Runs the X509-SVID verification algorithm step by step: URI SAN and SPIFFE ID syntax, leaf
and CA flags, key match, the bundle chosen strictly by the leaf's trust domain (never
pooled), the certification path built and checked by svidkit itself (signatures, validity of
every certificate, name constraints, path length, critical extensions), the expected ID or
trust domain, and EKU. Each failure has a stable reason code and a hint; errors[0] in --json
is the primary reason.

A PEM bundle is bound to a trust domain by its TD= label, else by the SPIFFE ID in its CA
certificates, else by the expected trust domain, else (sole bundle) by the leaf's own trust
domain with a warning.

--profile x509 judges any X.509 chain (a non-SPIFFE peer in a mixed mesh) by RFC 5280 path
validation only: no SPIFFE leaf rules, no trust-domain binding; every certificate in the
--bundle files is a trust anchor. --strict adds every RFC 5280 MUST for conforming CAs, in
both profiles (docs/verification.md lists each rule and its level).

The chain file may also be a PKCS#12 file (the key and chain; --p12-password-file, or a
prompt on a terminal) or a Kubernetes Secret manifest (tls.crt, tls.key, and ca.crt as the
bundle unless --bundle; --secret-name picks one of several). An encrypted PKCS#8 key needs
--key-password-file (or the prompt). An SVID directory without a key file (what issue --csr
writes) is verified without the key check, with a warning that says so.`)

export const VERIFY_EXAMPLES = [
  {
    description: "Verify a chain against example.org's bundle and require the web workload's ID",
    command:
      '<%= config.bin %> verify svid/svid.pem --bundle example.org=ca/bundle.pem --expect-id spiffe://example.org/web',
  },
  {
    description: 'Verify an SVID directory (chain, key and bundle) for any workload of example.org',
    command: '<%= config.bin %> verify --dir svid --expect-trust-domain example.org',
  },
  {
    description: 'Verify at a given instant with a SPIFFE bundle, and print JSON',
    command:
      '<%= config.bin %> verify svid.pem --key svid_key.pem --bundle bundle.spiffe.json --at 2026-01-01T00:00:00Z --json',
  },
  {
    description: 'Verify against a federation bundle map, reading it as go-spiffe does',
    command: '<%= config.bin %> verify svid.pem --bundle federation.json --strict',
  },
  {
    description: "Verify the chain a live server presents, and require the database's ID",
    command:
      '<%= config.bin %> verify --connect 127.0.0.1:8443 --bundle example.org=ca/bundle.pem --expect-id spiffe://example.org/db',
  },
  {
    description: 'Judge a non-SPIFFE server chain by RFC 5280 path validation only, with every CA rule',
    command: '<%= config.bin %> verify --profile x509 server-chain.pem --bundle roots.pem --strict',
  },
  {
    description: 'Verify a chain read from standard input',
    command: 'cat svid.pem | <%= config.bin %> verify - --bundle example.org=ca/bundle.pem',
  },
  {
    description: 'Verify a PKCS#12 file (key and chain) against its bundle',
    command:
      '<%= config.bin %> verify svid/svid.p12 --p12-password-file pw.txt --bundle example.org=svid/svid_bundle.pem',
  },
  {
    description: 'Verify a Kubernetes Secret manifest (ca.crt is the bundle)',
    command: '<%= config.bin %> verify secret.yaml --expect-id spiffe://example.org/web',
  },
]
