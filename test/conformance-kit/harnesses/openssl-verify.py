#!/usr/bin/env python3
"""Reference harness: `openssl verify` on the X.509 path subset of the SPIFFE conformance suite.

OpenSSL knows RFC 5280 path validation, not SPIFFE: it judges only cases whose rule is a path
rule (signatures, validity, CA flags, name constraints, path length, critical extensions) and
skips the rest (URI SAN and SPIFFE ID rules, authorization, keys, bundle documents, JWT-SVIDs).
Suite on stdin, x509-limbo results on stdout.
"""
import json
import os
import subprocess
import sys
import tempfile

# svidkit reason codes of the rules `openssl verify` checks itself
PATH_RULES = {
    "untrusted-chain", "cert-expired", "cert-not-yet-valid", "signing-cert-not-ca",
    "signing-cert-no-key-cert-sign", "name-constraint-violation", "path-length-exceeded",
    "unhandled-critical-extension",
}


def judge(tc, tmp):
    if tc.get("svid_kind") != "x509" or tc.get("spiffe_bundles") or tc.get("authorized_ids") or tc.get("peer_certificate_key"):
        return "SKIPPED", "not an X.509 path case"
    if tc["expected_result"] == "FAILURE" and tc.get("reason_code") not in PATH_RULES:
        return "SKIPPED", f"SPIFFE rule ({tc.get('reason_code')}) outside RFC 5280 path validation"
    if not tc["trusted_certs"]:
        return "FAILURE", "no trust anchor"
    paths = {}
    for name, pems in (("ca", tc["trusted_certs"]), ("untrusted", tc["untrusted_intermediates"]), ("leaf", [tc["peer_certificate"]])):
        paths[name] = os.path.join(tmp, f"{tc['id'].replace(':', '_')}-{name}.pem")
        with open(paths[name], "w") as f:
            f.write("".join(pems))
    at = subprocess.run(["date", "-d", tc["validation_time"], "+%s"], capture_output=True, text=True, check=True).stdout.strip()
    cmd = ["openssl", "verify", "-attime", at, "-CAfile", paths["ca"]]
    if tc["untrusted_intermediates"]:
        cmd += ["-untrusted", paths["untrusted"]]
    r = subprocess.run(cmd + [paths["leaf"]], capture_output=True, text=True, timeout=20)
    text = (r.stdout + r.stderr).strip().splitlines()
    return ("SUCCESS" if r.returncode == 0 else "FAILURE"), (text[-1] if text else "")


def main():
    suite = json.load(sys.stdin)
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for tc in suite["testcases"]:
            actual, context = judge(tc, tmp)
            results.append({"id": tc["id"], "actual_result": actual, "context": context})
    print(json.dumps({"version": 1, "harness": f"openssl-verify ({version})", "results": results}))


if __name__ == "__main__":
    main()
