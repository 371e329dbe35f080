/** SPIFFE IDs and trust domains (SPIFFE-ID §2). */
export {MSG, SCHEME_PREFIX, TrustDomain, type SpiffeIdRule} from './trust-domain.js'
export {MAX_ID_BYTES, MAX_TRUST_DOMAIN_BYTES, SpiffeId, checkIssuable, lengthWarning} from './spiffe-id.js'
export {parseSpiffeIdArg, parseTrustDomainArg} from './args.js'
