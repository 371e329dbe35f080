"""A Workload API client on Debian's python3-grpcio, from stubs protoc generated out of
proto/workload.proto. Prints one JSON object per line on stdout:

  {"event": "message", "n": 1, "svids": [...]}   for each of the first two X509SVIDResponse
  messages (files written to OUT/<n>/: chain.der, key.der, bundle.der, plus each
  certificate of the chain split out as cert-<i>.der)
  {"event": "no-header", "code": "INVALID_ARGUMENT", "details": "..."}
  {"event": "jwt", ...}   a JWT-SVID for audience "svc" verified by PyJWT against the JWKS
  of FetchJWTBundles, and what ValidateJWTSVID answered for it

Usage: python_client.py STUBS_DIR SOCKET_PATH OUT_DIR
"""
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import jwt  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402
import workload_pb2  # noqa: E402
import workload_pb2_grpc  # noqa: E402

socket_path, out = sys.argv[2], sys.argv[3]
HEADER = [("workload.spiffe.io", "true")]


def split_der(buf):
    """Splits concatenated DER certificates (what go-spiffe's x509.ParseCertificates reads)."""
    certs, i = [], 0
    while i < len(buf):
        if buf[i] != 0x30:
            raise ValueError("not a DER SEQUENCE at %d" % i)
        first = buf[i + 1]
        if first < 0x80:
            length, head = first, 2
        else:
            n = first & 0x7F
            length, head = int.from_bytes(buf[i + 2 : i + 2 + n], "big"), 2 + n
        certs.append(buf[i : i + head + length])
        i += head + length
    return certs


def emit(obj):
    print(json.dumps(obj), flush=True)


with grpc.insecure_channel("unix:" + socket_path) as channel:
    stub = workload_pb2_grpc.SpiffeWorkloadAPIStub(channel)
    stream = stub.FetchX509SVID(workload_pb2.X509SVIDRequest(), metadata=HEADER, timeout=20)
    for n, resp in enumerate(stream, start=1):
        svids = []
        for j, svid in enumerate(resp.svids):
            d = os.path.join(out, "%d-%d" % (n, j))
            os.makedirs(d)
            for name, data in (("chain.der", svid.x509_svid), ("key.der", svid.x509_svid_key), ("bundle.der", svid.bundle)):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            chain = split_der(svid.x509_svid)
            for i, cert in enumerate(chain):
                with open(os.path.join(d, "cert-%d.der" % i), "wb") as f:
                    f.write(cert)
            svids.append({"spiffeId": svid.spiffe_id, "hint": svid.hint, "dir": d, "chainLength": len(chain)})
        emit({"event": "message", "n": n, "svids": svids})
        if n == 2:
            stream.cancel()
            break

    try:
        for _ in stub.FetchX509SVID(workload_pb2.X509SVIDRequest(), timeout=10):
            emit({"event": "no-header", "code": "OK"})
            break
    except grpc.RpcError as err:
        emit({"event": "no-header", "code": err.code().name, "details": err.details()})

    svid = stub.FetchJWTSVID(workload_pb2.JWTSVIDRequest(audience=["svc"]), metadata=HEADER, timeout=10).svids[0]
    bundles = stub.FetchJWTBundles(workload_pb2.JWTBundlesRequest(), metadata=HEADER, timeout=10)
    jwks = json.loads(next(iter(bundles)).bundles["spiffe://" + svid.spiffe_id.split("/")[2]])
    bundles.cancel()
    kid = jwt.get_unverified_header(svid.svid)["kid"]
    key = next(jwt.PyJWK(k).key for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(svid.svid, key=key, algorithms=["ES256"], audience="svc")
    try:
        jwt.decode(svid.svid, key=key, algorithms=["ES256"], audience="other")
        wrong_audience = "accepted"
    except jwt.InvalidAudienceError:
        wrong_audience = "rejected"
    validated = stub.ValidateJWTSVID(workload_pb2.ValidateJWTSVIDRequest(audience="svc", svid=svid.svid), metadata=HEADER, timeout=10)
    emit(
        {
            "event": "jwt",
            "spiffeId": svid.spiffe_id,
            "sub": claims["sub"],
            "aud": claims["aud"],
            "wrongAudience": wrong_audience,
            "validated": validated.spiffe_id,
            "validatedClaims": MessageToDict(validated.claims),
        }
    )
