import {Flags} from '@oclif/core'
import {issueJwtFromCa} from '../../core/ca/issue-jwt.js'
import {JWT_DEFECTS, parseJwtDefects} from '../../core/jwt/defects.js'
import {parseLifetime} from '../../core/time/duration.js'
import {parseInstant} from '../../core/time/instant.js'
import {usageError} from '../../core/errors.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'
import {renderIssuedJwt, renderJwtDefects} from '../../cli/render/jwt.js'
import {defaultCaDir} from '../../core/ca/ca-dir.js'

export default class JwtIssue extends SvidkitCommand {
  static override summary = 'Issue a JWT-SVID from a CA directory'
  static override description = describe(`
Signs a JWT-SVID (JWT-SVID §2-§3) with the JWT authority of a CA directory (jwt-key.pem,
published as a "jwt-svid" entry of bundle.spiffe.json): header alg (ES256 for the P-256 key),
kid (the key's RFC 7638 thumbprint) and typ JWT; claims sub, aud, exp and iat. The token
alone goes to stdout, so it can be piped; --json prints it with its header and claims.

--defect NAME produces a token that breaks exactly one rule, for testing validators; svidkit
checks that its own "jwt verify" rejects it with that reason code before printing it.`)

  static override examples = [
    {
      description: 'Issue a JWT-SVID for the web workload, to be validated by the db service',
      command:
        '<%= config.bin %> jwt issue --spiffe-id spiffe://example.org/web --audience spiffe://example.org/db --ca ca',
    },
    {
      description: 'Issue a one-minute token, and print it with its claims as JSON',
      command: '<%= config.bin %> jwt issue --spiffe-id spiffe://example.org/web --audience db --ca ca --ttl 1m --json',
    },
    {
      description: 'Issue a token that breaks one rule on purpose: alg none',
      command:
        '<%= config.bin %> jwt issue --spiffe-id spiffe://example.org/web --audience db --ca ca --defect alg-none',
    },
    {
      description: 'List every --defect with the rule it breaks and the reason code jwt verify reports',
      command: '<%= config.bin %> defects --family jwt',
    },
  ]

  static override flags = {
    'spiffe-id': sharedFlags.optionalSpiffeId({description: 'SPIFFE ID of the workload (sub; required)'}),
    audience: Flags.string({description: 'audience (aud; required, repeatable)', multiple: true}),
    ca: sharedFlags.ca(),
    ttl: sharedFlags.ttl({description: 'lifetime (Go duration)', default: '5m'}),
    now: Flags.string({description: 'issue time (iat): RFC 3339 or a signed duration from now; default now'}),
    seed: Flags.string({
      description:
        'byte-stable token: deterministic signature (RFC 6979 ECDSA; RSA) and a jti derived from the seed (test fixtures only; with --now and a seeded CA)',
    }),
    defect: Flags.string({
      description:
        'break exactly one rule on purpose (repeatable where the defects combine); see "svidkit defects --family jwt"',
      multiple: true,
    }),
    'list-defects': Flags.boolean({
      description:
        'deprecated: use "svidkit defects --family jwt"; lists the defects, the reason code jwt verify reports and the rule each breaks',
      default: false,
    }),
  }

  async run() {
    const {flags} = await this.parse(JwtIssue)
    // Deprecated (svidkit defects); the same output as before for scripts that use it.
    if (flags['list-defects']) {
      for (const line of renderJwtDefects(JWT_DEFECTS)) this.log(line)
      return JWT_DEFECTS.map(({name, code, level, rule, aspect}) => ({name, code, level, rule, aspect}))
    }
    if (!flags['spiffe-id']) throw usageError('missing required flag --spiffe-id')
    if (!flags.audience?.length)
      throw usageError(
        'missing required flag --audience',
        'name the service that will validate the token, e.g. --audience spiffe://example.org/db',
      )
    const now = flags.now === undefined ? new Date() : parseInstant(flags.now, new Date())
    const result = issueJwtFromCa({
      ca: flags.ca ?? defaultCaDir(),
      spiffeId: flags['spiffe-id'],
      audience: flags.audience,
      ttlMs: parseLifetime(flags.ttl, '--ttl'),
      now,
      defects: parseJwtDefects(flags.defect ?? []),
      seed: flags.seed,
    })
    this.warnings(result.warnings)
    for (const line of renderIssuedJwt(result)) this.log(line)
    return result
  }
}
