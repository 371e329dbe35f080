import {Args, Flags} from '@oclif/core'
import {verifyJwtFiles} from '../../core/jwt/verify-input.js'
import {parseInstant} from '../../core/time/instant.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'
import {renderJwtVerify} from '../../cli/render/jwt.js'

export default class JwtVerify extends SvidkitCommand {
  static override summary = 'Validate a JWT-SVID the way a SPIFFE peer does, and explain every check'
  static override description = describe(`
Runs JWT-SVID validation step by step (docs/jwt.md): JWS compact form, alg (RS/ES/PS
256/384/512 only; never none or HMAC), header (typ JWT or JOSE, no crit), kid, sub a SPIFFE
ID, the JWT bundle of sub's trust domain (never another one), the key named by kid among its
"jwt-svid" entries (an x509-svid key never verifies a token), the signature, aud holding
every --audience, exp present and in the future, nbf and iat not in the future, then
--expect-id / --expect-trust-domain. Each failure has a stable reason code and a hint;
errors[0] in --json is the primary reason.

--skew allows clock drift on exp, nbf and iat (default 0s: none, as for X.509 validity).
Bundles: SPIFFE JWKS files labelled TD=FILE (a sole unlabelled one binds to the token's trust
domain with a warning), or bundle maps.`)

  static override examples = [
    {
      description: "Verify a token against example.org's SPIFFE bundle for the db audience",
      command:
        '<%= config.bin %> jwt verify "$TOKEN" --bundle example.org=ca/bundle.spiffe.json --audience spiffe://example.org/db',
    },
    {
      description:
        "Verify a token read from standard input against a federation bundle map, requiring the web workload's ID",
      command:
        'echo "$TOKEN" | <%= config.bin %> jwt verify - --bundle federation.json --audience db --expect-id spiffe://example.org/web --json',
    },
    {
      description: 'Verify at a given instant, allowing 30 seconds of clock skew',
      command:
        '<%= config.bin %> jwt verify "$TOKEN" --bundle example.org=bundle.json --audience db --at 2026-01-01T00:00:00Z --skew 30s',
    },
  ]

  static override args = {
    token: Args.string({description: 'the JWT-SVID (JWS compact); - reads it from standard input', required: true}),
  }

  static override flags = {
    bundle: sharedFlags.bundle({
      description:
        'JWT bundle, [TD=]FILE (SPIFFE JWKS with jwt-svid entries, or a bundle map); repeatable, one per trust domain',
    }),
    audience: Flags.string({
      description: 'the audience this validator is (required, repeatable: aud must hold every one)',
      multiple: true,
    }),
    'expect-id': Flags.string({description: 'accepted SPIFFE ID (repeatable: any one of them)', multiple: true}),
    'expect-trust-domain': Flags.string({description: 'required trust domain of sub'}),
    at: sharedFlags.at(),
    skew: Flags.string({description: 'clock skew allowed on exp, nbf and iat (Go duration)', default: '0s'}),
  }

  async run() {
    const {args, flags} = await this.parse(JwtVerify)
    const result = verifyJwtFiles({
      token: args.token,
      bundles: flags.bundle ?? [],
      audience: flags.audience ?? [],
      expectIds: flags['expect-id'],
      expectTrustDomain: flags['expect-trust-domain'],
      at: flags.at === undefined ? new Date() : parseInstant(flags.at, new Date()),
      skew: flags.skew,
    })
    for (const line of renderJwtVerify(result)) this.log(line)
    if (!result.valid) this.finish(result, 4)
    return result
  }
}
