#!/usr/bin/env python3
"""Reference harness: PyJWT (Debian python3-jwt) for the JWT-SVID cases of the SPIFFE conformance suite.

What a careful user writes around a generic JWT library: the bundle chosen by the trust domain
of the unverified `sub`, the key chosen by `kid` among that bundle's `jwt-svid` entries, PyJWT's
decode with the JWT-SVID algorithms, the audience and exp/aud/sub required. X.509 cases are skipped.
Suite on stdin, x509-limbo results on stdout.
"""
import json
import re
import sys
from datetime import datetime

import jwt

ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]
SPIFFE_ID = re.compile(r"^spiffe://([a-z0-9._-]+)(/[A-Za-z0-9._-]+)+$")


def judge(tc):
    if tc.get("svid_kind") != "jwt":
        return "SKIPPED", "not a JWT-SVID case"
    token = tc["token"]
    try:
        sub = jwt.decode(token, options={"verify_signature": False}).get("sub", "")
        m = SPIFFE_ID.match(sub if isinstance(sub, str) else "")
        if not m or any(seg in (".", "..") for seg in sub.split("/")[3:]):
            return "FAILURE", f"sub {sub!r} is not a SPIFFE ID"
        bundle = (tc.get("jwt_bundles") or {}).get(m.group(1))
        if bundle is None:
            return "FAILURE", f"no JWT bundle for {m.group(1)}"
        kid = jwt.get_unverified_header(token).get("kid")
        entries = [k for k in bundle.get("keys", []) if k.get("use") == "jwt-svid" and k.get("kid") == kid]
        if len(entries) != 1:
            return "FAILURE", f"kid {kid!r}: {len(entries)} jwt-svid keys"
        key = jwt.PyJWK({k: v for k, v in entries[0].items() if k != "use"}).key
        now = datetime.fromisoformat(tc["validation_time"].replace("Z", "+00:00")).timestamp()
        # PyJWT reads the clock itself: shift the leeway by the distance to the suite's instant.
        claims = jwt.decode(token, key=key, algorithms=ALGS, audience=tc["audience"][0], options={"require": ["exp", "aud", "sub"], "verify_exp": False, "verify_nbf": False, "verify_iat": False})
        if not now < claims["exp"]:
            return "FAILURE", "expired"
        if "nbf" in claims and now < claims["nbf"]:
            return "FAILURE", "not yet valid"
        if "iat" in claims and now < claims["iat"]:
            return "FAILURE", "issued in the future"
        return "SUCCESS", sub
    except Exception as e:  # every refusal of PyJWT ends here
        return "FAILURE", f"{type(e).__name__}: {e}"


def main():
    suite = json.load(sys.stdin)
    results = [dict(zip(("id", "actual_result", "context"), (tc["id"], *judge(tc)))) for tc in suite["testcases"]]
    print(json.dumps({"version": 1, "harness": f"pyjwt-{jwt.__version__}", "results": results}))


if __name__ == "__main__":
    main()
