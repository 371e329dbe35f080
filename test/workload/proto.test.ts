/**
 * proto/workload.proto against the upstream workload.proto of the SPIFFE Workload API
 * (the one go-spiffe and SPIRE compile): every message, field name, number and
 * cardinality, and every method path and streaming shape. A real client only
 * interoperates if all of these match.
 */
import * as protoLoader from '@grpc/proto-loader'
import {expect, it} from 'vitest'
import {WORKLOAD_PROTO} from '../../src/core/workload/service.js'

// [name, number, type, repeated]; map fields are repeated entry messages.
const UPSTREAM: Record<string, [string, number, string, boolean][]> = {
  X509SVIDRequest: [],
  X509SVIDResponse: [
    ['svids', 1, 'TYPE_MESSAGE', true],
    ['crl', 2, 'TYPE_BYTES', true],
    ['federated_bundles', 3, 'TYPE_MESSAGE', true],
  ],
  X509SVID: [
    ['spiffe_id', 1, 'TYPE_STRING', false],
    ['x509_svid', 2, 'TYPE_BYTES', false],
    ['x509_svid_key', 3, 'TYPE_BYTES', false],
    ['bundle', 4, 'TYPE_BYTES', false],
    ['hint', 5, 'TYPE_STRING', false],
  ],
  X509BundlesRequest: [],
  X509BundlesResponse: [
    ['crl', 1, 'TYPE_BYTES', true],
    ['bundles', 2, 'TYPE_MESSAGE', true],
  ],
  JWTSVIDRequest: [
    ['audience', 1, 'TYPE_STRING', true],
    ['spiffe_id', 2, 'TYPE_STRING', false],
  ],
  JWTSVIDResponse: [['svids', 1, 'TYPE_MESSAGE', true]],
  JWTSVID: [
    ['spiffe_id', 1, 'TYPE_STRING', false],
    ['svid', 2, 'TYPE_STRING', false],
    ['hint', 3, 'TYPE_STRING', false],
  ],
  JWTBundlesRequest: [],
  JWTBundlesResponse: [['bundles', 1, 'TYPE_MESSAGE', true]],
  ValidateJWTSVIDRequest: [
    ['audience', 1, 'TYPE_STRING', false],
    ['svid', 2, 'TYPE_STRING', false],
  ],
  ValidateJWTSVIDResponse: [
    ['spiffe_id', 1, 'TYPE_STRING', false],
    ['claims', 2, 'TYPE_MESSAGE', false],
  ],
}

// [path, request type, response type, server streaming]
const METHODS: [string, string, string, boolean][] = [
  ['/SpiffeWorkloadAPI/FetchX509SVID', 'X509SVIDRequest', 'X509SVIDResponse', true],
  ['/SpiffeWorkloadAPI/FetchX509Bundles', 'X509BundlesRequest', 'X509BundlesResponse', true],
  ['/SpiffeWorkloadAPI/FetchJWTSVID', 'JWTSVIDRequest', 'JWTSVIDResponse', false],
  ['/SpiffeWorkloadAPI/FetchJWTBundles', 'JWTBundlesRequest', 'JWTBundlesResponse', true],
  ['/SpiffeWorkloadAPI/ValidateJWTSVID', 'ValidateJWTSVIDRequest', 'ValidateJWTSVIDResponse', false],
]

interface Field {
  name: string
  number: number
  type: string
  label: string
}
interface MessageDef {
  type: {field: Field[]}
}
interface MethodDef {
  path: string
  requestStream: boolean
  responseStream: boolean
  requestType: MessageDef & {type: {name: string}}
  responseType: MessageDef & {type: {name: string}}
}

it('messages, fields and methods match the upstream workload.proto', () => {
  const def = protoLoader.loadSync(WORKLOAD_PROTO, {keepCase: true}) as unknown as Record<string, unknown>
  const ours = Object.keys(def).filter((k) => !k.startsWith('google.') && k !== 'SpiffeWorkloadAPI')
  expect(ours.sort()).toEqual(Object.keys(UPSTREAM).sort())
  for (const [name, fields] of Object.entries(UPSTREAM)) {
    const got = (def[name] as MessageDef).type.field.map((f) => [
      f.name,
      f.number,
      f.type,
      f.label === 'LABEL_REPEATED',
    ])
    expect({name, fields: got}).toEqual({name, fields})
  }
  const service = def.SpiffeWorkloadAPI as Record<string, MethodDef>
  const methods = Object.values(service).map((m) => [
    m.path,
    m.requestType.type.name,
    m.responseType.type.name,
    m.responseStream && !m.requestStream,
  ])
  expect(methods).toEqual(METHODS)
})
