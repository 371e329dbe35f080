/**
 * Interop with a Workload API client svidkit did not write: Debian's python3-grpcio with
 * stubs that protoc and grpc_python_plugin generate from proto/workload.proto at test
 * time. The DER chain and PKCS#8 key it receives are checked with openssl; the JWT-SVID
 * with PyJWT (python3-jwt).
 */
import {spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'
import {serve, WEB} from './fixtures.js'

const PYTHON = '/usr/bin/python3'
const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, {stdio: 'ignore'}).status === 0
const missing = [
  ok(PYTHON, ['-c', 'import grpc, google.protobuf']) ? undefined : 'python3-grpcio python3-protobuf',
  ok(PYTHON, ['-c', 'import jwt, cryptography']) ? undefined : 'python3-jwt python3-cryptography',
  ok('protoc', ['--version']) ? undefined : 'protobuf-compiler',
  ok('sh', ['-c', 'command -v grpc_python_plugin']) ? undefined : 'protobuf-compiler-grpc',
  ok('openssl', ['version']) ? undefined : 'openssl',
].filter(Boolean)
if (missing.length > 0)
  console.warn(
    `skipping the python3-grpcio Workload API client test: install the Debian packages ${missing.join(', ')}`,
  )

function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

interface PyMessage {
  event: 'message'
  n: number
  svids: {spiffeId: string; hint: string; dir: string; chainLength: number}[]
}

describe.skipIf(missing.length > 0)('python3-grpcio client', () => {
  it('streams the SVID, sees a pushed rotation, gets InvalidArgument without the header, verifies a JWT-SVID with PyJWT; openssl reads the X.509 material', async () => {
    const work = tmpDir()
    const stubs = join(work, 'stubs')
    const gen = spawnSync(
      'sh',
      [
        '-c',
        `mkdir -p "$1" && protoc -I "$2" --python_out="$1" --grpc_python_out="$1" --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$2/workload.proto"`,
        'sh',
        stubs,
        join(REPO, 'proto'),
      ],
      {encoding: 'utf8'},
    )
    expect(gen.stderr).toBe('')
    expect(gen.status).toBe(0)

    const {api} = await serve({identities: [`${WEB}#internal`]})
    const child = spawn(PYTHON, [join(REPO, 'test/workload/python_client.py'), stubs, api.socketPath, work], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: Record<string, unknown>[] = []
    let stderr = ''
    let rotated = false
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(l))
        // Rotate once the client holds the first message: the second must be pushed to it.
        if (!rotated) {
          rotated = true
          void api.rotate()
        }
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await new Promise<number | null>((r) => child.once('close', r))
    clearTimeout(timer)
    expect({code, stderr}).toEqual({code: 0, stderr: ''})

    const messages = lines.filter((l) => l.event === 'message') as unknown as PyMessage[]
    expect(messages.map((m) => m.svids.map((s) => [s.spiffeId, s.hint, s.chainLength]))).toEqual([
      [[WEB, 'internal', 2]],
      [[WEB, 'internal', 2]],
    ])
    expect(lines.find((l) => l.event === 'no-header')).toEqual({
      event: 'no-header',
      code: 'INVALID_ARGUMENT',
      details: 'security header missing from request',
    })
    // PyJWT verified the JWT-SVID with the key of FetchJWTBundles; ValidateJWTSVID agreed.
    expect(lines.find((l) => l.event === 'jwt')).toEqual({
      event: 'jwt',
      spiffeId: WEB,
      sub: WEB,
      aud: ['svc'],
      wrongAudience: 'rejected',
      validated: WEB,
      validatedClaims: expect.objectContaining({sub: WEB, aud: ['svc']}),
    })

    const serials: string[] = []
    for (const m of messages) {
      const d = m.svids[0].dir
      const leaf = join(d, 'cert-0.der')
      const text = openssl(['x509', '-inform', 'DER', '-in', leaf, '-noout', '-serial', '-ext', 'subjectAltName'])
      expect(text).toContain(`URI:${WEB}`)
      serials.push(/serial=(\w+)/.exec(text)![1])
      // The PKCS#8 key belongs to the leaf: the same public key from both.
      const fromKey = openssl(['pkey', '-inform', 'DER', '-in', join(d, 'key.der'), '-pubout'])
      const fromCert = openssl(['x509', '-inform', 'DER', '-in', leaf, '-noout', '-pubkey'])
      expect(fromKey).toBe(fromCert)
      expect(fromKey).toMatch(/^-----BEGIN PUBLIC KEY-----/)
      // The chain verifies against the bundle of the same message.
      const pem = (der: string, out: string) => openssl(['x509', '-inform', 'DER', '-in', der, '-out', join(d, out)])
      pem(leaf, 'leaf.pem')
      pem(join(d, 'cert-1.der'), 'intermediate.pem')
      pem(join(d, 'bundle.der'), 'bundle.pem')
      expect(
        openssl([
          'verify',
          '-CAfile',
          join(d, 'bundle.pem'),
          '-untrusted',
          join(d, 'intermediate.pem'),
          join(d, 'leaf.pem'),
        ]),
      ).toBe(`${join(d, 'leaf.pem')}: OK\n`)
    }
    expect(new Set(serials).size).toBe(2)
  })
})
