/** SPIFFE IDs and trust domains (spiffe-rules.md §1). */
export {MSG, SCHEME_PREFIX, TrustDomain, type SpiffeIdRule} from './trust-domain.js'
export {MAX_ID_BYTES, MAX_TRUST_DOMAIN_BYTES, SpiffeId, checkIssuable, lengthWarning} from './spiffe-id.js'
export {parseSpiffeIdArg, parseTrustDomainArg} from './args.js'
