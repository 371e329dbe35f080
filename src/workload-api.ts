/**
 * `svidkit/workload-api`: the SPIFFE Workload API test server, in-process. A separate
 * entry so that importing `svidkit` does not load gRPC.
 *
 * @example
 * const api = await startWorkloadApi({ca: 'ca', identities: ['spiffe://example.org/web#internal']})
 * process.env.SPIFFE_ENDPOINT_SOCKET = api.endpoint
 * await api.rotate()
 * await api.close()
 */
import 'reflect-metadata'
export {startWorkloadApi, type WorkloadApiHandle, type WorkloadApiStats} from './core/workload/start.js'
export {DEFAULT_BACKPRESSURE, type BackpressureLimits, type BackpressureStats} from './core/workload/backpressure.js'
export {
  DEFAULT_SOCKET,
  parseIdentity,
  parseFederate,
  type WorkloadApiOptions,
  type IdentitySpec,
  type FederateSpec,
  type StartFaults,
  type RotationKind,
  type CaOverlap,
} from './core/workload/options.js'
export {parsePlan, loadPlan, PLAN_ACTIONS, type PlanStep, type PlanAction} from './core/workload/plan.js'
export {SECURITY_HEADER, WORKLOAD_PROTO, MESSAGES} from './core/workload/service.js'
export type {WorkloadEvent, ClientSummary, SentSvid, SentJwtSvid, RpcName, SlowReaders} from './core/workload/events.js'
export {DEFAULT_JWT_TTL_MS} from './core/workload/jwt.js'
