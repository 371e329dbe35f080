"""PyJWT (Debian python3-jwt) as an independent JWT-SVID peer for svidkit's tests.

  verify: stdin {"token", "jwks", "audience", "at"} -> stdout {"ok": bool, "error": str}
          (kid looked up among the jwt-svid entries only; algorithms of JWT-SVID §2.1)
  make:   stdin {"sub", "aud", "iat", "exp"} -> stdout {"jwks": {...}, "tokens": {alg: token}}
"""
import json
import sys

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]


def verify(req):
    token = req["token"]
    try:
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        entry = next((k for k in req["jwks"]["keys"] if k.get("use") == "jwt-svid" and k.get("kid") == kid), None)
        if entry is None:
            return {"ok": False, "error": "kid not found among jwt-svid keys"}
        key = jwt.PyJWK({k: v for k, v in entry.items() if k not in ("use",)}).key
        jwt.decode(
            token,
            key=key,
            algorithms=ALGS,
            audience=req["audience"],
            options={"require": ["exp", "aud", "sub"]},
            leeway=req.get("leeway", 0),
        )
        return {"ok": True, "error": ""}
    except Exception as e:  # every PyJWT refusal ends here
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}


def make(req):
    claims = {"sub": req["sub"], "aud": req["aud"], "iat": req["iat"], "exp": req["exp"]}
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec384 = ec.generate_private_key(ec.SECP384R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys, tokens = [], {}
    for kid, alg, priv, algo in [
        ("py-es256", "ES256", ec_key, ECAlgorithm),
        ("py-es384", "ES384", ec384, ECAlgorithm),
        ("py-rsa", "RS256", rsa_key, RSAAlgorithm),
    ]:
        jwk = json.loads(algo.to_jwk(priv.public_key()))
        jwk.update({"use": "jwt-svid", "kid": kid})
        keys.append(jwk)
        tokens[alg] = jwt.encode(claims, priv, algorithm=alg, headers={"kid": kid})
    tokens["PS256"] = jwt.encode(claims, rsa_key, algorithm="PS256", headers={"kid": "py-rsa"})
    tokens["RS512"] = jwt.encode(claims, rsa_key, algorithm="RS512", headers={"kid": "py-rsa"})
    return {"jwks": {"keys": keys}, "tokens": tokens}


if __name__ == "__main__":
    request = json.load(sys.stdin)
    print(json.dumps(verify(request) if sys.argv[1] == "verify" else make(request)))
