#!/usr/bin/env python3
"""The transparency log of a running `causeway serve` over real HTTP (docs/audit-log.md "Serving the log").

A relay gets a real workload (causeway-devnet/v1 blocks, one proof bundle per packet, from `causeway bench
relay-core --emit-workload`) over POST /v1/packets; then:
  - GET /v1/audit/sth: a signed tree head over exactly every entry (serve signs them periodically);
  - GET /v1/audit/entries: the exact entries (count per kind), leaf hashes = SHA-256(0x00 || data), and their
    RFC 6962 root equals the STH's; the page bound, missing / malformed parameters;
  - GET /v1/audit/inclusion and /consistency: proofs verify (RFC 9162 §2.1.3.2 / §2.1.4.2, written here
    independently of the C++ code) and tampered ones do not; indexes outside the log are 400 ERR_MERKLE_INDEX;
  - GET /v1/audit/export: the JSONL `causeway audit export` writes (header agrees with the body);
  - `causeway audit verify --url`: verified, every bundle re-verified; against a wrong --log-id it fails (1);
  - SIGTERM: a last tree head is signed; `causeway audit verify --data-dir` agrees.
Usage: audit_serve_test.py CAUSEWAY
"""
import hashlib, http.client, json, os, shutil, signal, subprocess, sys, tempfile, time

CW = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="causeway-audit-serve-")
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def H(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return H(b"\x00" + data)


def node(l, r):
    return H(b"\x01" + l + r)


def mth(leaves):  # RFC 6962 §2.1 over leaf hashes
    n = len(leaves)
    if n == 0:
        return H(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, lh, proof, root):  # RFC 9162 §2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, lh
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):  # RFC 9162 §2.1.4.2
    if first == second:
        return len(proof) == 0 and first_root == second_root
    if first == 0 or first > second:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path = [first_root] + path
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def unhex(s):
    return bytes.fromhex(s[2:])


def flip(h):
    b = bytearray(unhex(h))
    b[7] ^= 1
    return bytes(b)


def get(port, target):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("GET", target)
        r = c.getresponse()
        body = r.read()
        return r.status, r.getheader("Content-Type", ""), body
    finally:
        c.close()


def get_json(port, target):
    status, _, body = get(port, target)
    return status, json.loads(body or b"{}")


def post(port, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("POST", "/v1/packets", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        c.close()


def run(*args):
    p = subprocess.run([CW] + list(args), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


try:
    # ---- a relay with a workload --------------------------------------------------------------------------------
    work = os.path.join(tmp, "work")
    PACKETS, PER_BLOCK = 100, 25
    subprocess.run([CW, "bench", "relay-core", "--emit-workload", work, "--packets", str(PACKETS), "--per-block",
                    str(PER_BLOCK)], check=True)
    bundles = [json.loads(l) for l in open(os.path.join(work, "bundles.jsonl"))]
    BLOCKS = bundles[-1]["block"]
    data = os.path.join(tmp, "data")
    proc = subprocess.Popen([CW, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--config",
                             os.path.join(work, "config.json"), "--sth-interval-s", "1"],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "serve.log"), "w"), text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        raise SystemExit("serve did not start: %r" % line)
    port = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])

    # At start the log holds the registrations (2 islands, 2 channel ends) and serve signs a head over them.
    status, sth0 = get_json(port, "/v1/audit/sth")
    check(status == 200 and sth0.get("tree_size") == 4, "STH at start covers the 4 registration entries: %r" % sth0)

    held_back = bundles.pop()  # sent after a restart without periodic heads: the stop must sign it
    check(not held_back["opener"], "the held-back bundle is not a block opener")
    for b in bundles:
        status, body = post(port, json.dumps(b["bundle"]))
        check(status == 201, "POST /v1/packets: %d %r" % (status, body))
    SENT = PACKETS - 1
    # Per block: one headers_accepted (its opener carries the header); per packet: packet_verified + packet_attested.
    N = 4 + BLOCKS + 2 * SENT
    deadline = time.time() + 15
    sth = {}
    while time.time() < deadline:
        status, sth = get_json(port, "/v1/audit/sth")
        if status == 200 and sth.get("tree_size") == N:
            break
        time.sleep(0.2)
    check(sth.get("tree_size") == N, "a periodic STH covers all %d entries: %r" % (N, sth))
    root = unhex(sth["root_hash"])

    # ---- entries ------------------------------------------------------------------------------------------------
    entries = []
    for start in range(0, N, 1000):
        status, page = get_json(port, "/v1/audit/entries?start=%d&end=%d" % (start, min(N, start + 1000)))
        check(status == 200, "entries page %d: %d" % (start, status))
        entries += page["entries"]
    check(len(entries) == N, "entries: %d, expected %d" % (len(entries), N))
    check([e["index"] for e in entries] == list(range(N)), "entries are 0 … N-1 in order")
    kinds = {}
    for e in entries:
        k = json.loads(e["data"])["kind"]
        kinds[k] = kinds.get(k, 0) + 1
    check(kinds == {"island_registered": 2, "channel_opened": 2, "headers_accepted": BLOCKS,
                    "packet_verified": SENT, "packet_attested": SENT}, "entry kinds: %r" % kinds)
    lhs = [leaf_hash(e["data"].encode()) for e in entries]
    check(all(unhex(e["leaf_hash"]) == lh for e, lh in zip(entries, lhs)), "every leaf_hash = SHA-256(0x00 || data)")
    check(mth(lhs) == root, "the entries' RFC 6962 root is the STH's root_hash")
    check(sum(1 for e in entries if "bundle_hash" in e) == SENT, "one bundle_hash per packet_verified")
    status, page = get_json(port, "/v1/audit/entries?start=10&end=13")
    check(status == 200 and [e["index"] for e in page["entries"]] == [10, 11, 12] and page["tree_size"] >= N,
          "entries [10, 13)")
    for target, code in [("/v1/audit/entries?start=0&end=1001", "ERR_INVALID_ARGUMENT"),
                         ("/v1/audit/entries?start=0", "ERR_INVALID_ARGUMENT"),
                         ("/v1/audit/entries?start=x&end=3", "ERR_INVALID_ARGUMENT"),
                         ("/v1/audit/entries?start=5&end=3", "ERR_INVALID_ARGUMENT"),
                         ("/v1/audit/entries?start=0&end=%d" % (N + 500), "ERR_MERKLE_INDEX"),
                         ("/v1/audit/inclusion?index=3", "ERR_INVALID_ARGUMENT"),
                         ("/v1/audit/inclusion?index=%d&tree_size=%d" % (N, N), "ERR_MERKLE_INDEX"),
                         ("/v1/audit/inclusion?index=0&tree_size=%d" % (N + 1000), "ERR_MERKLE_INDEX"),
                         ("/v1/audit/consistency?first=0&second=5", "ERR_MERKLE_INDEX"),
                         ("/v1/audit/consistency?first=9&second=5", "ERR_MERKLE_INDEX")]:
        status, body = get_json(port, target)
        check(status == 400 and body.get("error", {}).get("code") == code, "%s: %d %r" % (target, status, body))

    # ---- inclusion proofs -----------------------------------------------------------------------------------------
    for i in [0, 1, 4, 7, N // 2, N - 2, N - 1]:
        status, inc = get_json(port, "/v1/audit/inclusion?index=%d&tree_size=%d" % (i, N))
        proof = [unhex(p) for p in inc["proof"]]
        check(status == 200 and inc["index"] == i and inc["tree_size"] == N and unhex(inc["root_hash"]) == root,
              "inclusion %d shape" % i)
        check(unhex(inc["leaf_hash"]) == lhs[i], "inclusion %d names the leaf's hash" % i)
        check(verify_inclusion(i, N, lhs[i], proof, root), "inclusion proof of leaf %d verifies" % i)
        if proof:
            bad = list(proof)
            bad[len(bad) // 2] = flip(inc["proof"][len(bad) // 2])
            check(not verify_inclusion(i, N, lhs[i], bad, root), "a tampered inclusion proof of %d fails" % i)
        check(not verify_inclusion(i, N, lhs[(i + 1) % N], proof, root), "another leaf with %d's proof fails" % i)
    # A smaller tree size: the proof verifies against that tree's root.
    status, inc = get_json(port, "/v1/audit/inclusion?index=2&tree_size=4")
    check(status == 200 and verify_inclusion(2, 4, lhs[2], [unhex(p) for p in inc["proof"]], mth(lhs[:4])),
          "inclusion of leaf 2 in the tree of 4")

    # ---- consistency proofs ---------------------------------------------------------------------------------------
    for m in [1, 4, 5, 64, N - 1, N]:
        status, c = get_json(port, "/v1/audit/consistency?first=%d&second=%d" % (m, N))
        proof = [unhex(p) for p in c["proof"]]
        fr, sr = unhex(c["first_root"]), unhex(c["second_root"])
        check(status == 200 and fr == mth(lhs[:m]) and sr == root, "consistency %d→%d roots" % (m, N))
        check(verify_consistency(m, N, fr, sr, proof), "consistency proof %d→%d verifies" % (m, N))
        if proof:
            bad = list(proof)
            bad[0] = flip(c["proof"][0])
            check(not verify_consistency(m, N, fr, sr, bad), "a tampered consistency proof %d→%d fails" % (m, N))
            check(not verify_consistency(m, N, flip(c["first_root"]), sr, proof),
                  "consistency %d→%d against another old root fails" % (m, N))
    check(verify_consistency(4, N, unhex(sth0["root_hash"]), root,
                             [unhex(p) for p in get_json(port, "/v1/audit/consistency?first=4&second=%d" % N)[1]["proof"]]),
          "the start STH (size 4) is consistent with the latest")

    # ---- export -----------------------------------------------------------------------------------------------------
    status, ctype, body = get(port, "/v1/audit/export")
    lines = [json.loads(l) for l in body.decode().splitlines()]
    check(status == 200 and ctype.startswith("application/x-ndjson"), "export: %d %s" % (status, ctype))
    hdr = lines[0]
    sths = [l for l in lines if l.get("type") == "sth"]
    leaves = [l for l in lines if l.get("type") == "leaf"]
    check(hdr.get("format") == "causeway-audit-export" and hdr.get("sth_count") == len(sths) and
          hdr.get("tree_size") == sths[-1]["sth"]["tree_size"] == len(leaves) and hdr.get("log_id") == sth["log_id"],
          "export header agrees with its body: %r" % hdr)
    check(sum(1 for l in leaves if "bundle" in l) == SENT, "export carries one bundle per packet")

    # ---- audit verify --url --------------------------------------------------------------------------------------
    url = "http://127.0.0.1:%d" % port
    rc, out, err = run("audit", "verify", "--url", url)
    last = out.strip().splitlines()[-1] if out.strip() else ""
    check(rc == 0 and last.startswith("audit: verified ") and ", tree size " in last,
          "audit verify --url: rc %d, %r %r" % (rc, last, err[-300:]))
    rc, out, err = run("audit", "verify", "--url", url, "--json", "--log-id", sth["log_id"])
    o = json.loads(out) if rc in (0, 1) else {}
    check(rc == 0 and o.get("valid") and o.get("entries") == o.get("tree_size") >= N and
          o.get("bundles_verified") == SENT and o.get("log_id_trusted") == "pinned" and o.get("source") == url,
          "audit verify --url --json: rc %d %r %r" % (rc, out[-400:], err[-300:]))
    rc, out, err = run("audit", "verify", "--url", url, "--json", "--log-id", "0x" + "11" * 32)
    o = json.loads(out) if rc in (0, 1) else {}
    check(rc == 1 and o.get("error", {}).get("code") == "ERR_AUDIT_INCONSISTENT", "verify --url with another log id: rc %d" % rc)
    rc, out, err = run("audit", "verify", "--url", url + "/nothing-here", "--json")
    o = json.loads(out) if out.strip().startswith("{") else {}
    check(rc == 2 and o.get("error", {}).get("code") == "ERR_IO", "verify --url of a wrong path: rc %d %r" % (rc, out))

    # ---- clean stop signs a last STH ----------------------------------------------------------------------------
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    check(proc.returncode == 0, "serve stopped cleanly: %r" % proc.returncode)
    proc = subprocess.Popen([CW, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--config",
                             os.path.join(work, "config.json"), "--sth-interval-s", "0"],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "serve2.log"), "w"), text=True)
    line = proc.stdout.readline()
    port = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])
    status, body = post(port, json.dumps(held_back["bundle"]))
    check(status == 201, "the held-back packet: %d %r" % (status, body))
    time.sleep(1.5)
    status, s1 = get_json(port, "/v1/audit/sth")
    check(status == 200 and s1.get("tree_size") == N, "--sth-interval-s 0: no periodic head (%r)" % s1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    check(proc.returncode == 0, "serve stopped cleanly again: %r" % proc.returncode)
    rc, out, err = run("audit", "verify", "--data-dir", data, "--json")
    o = json.loads(out) if rc in (0, 1) else {}
    check(rc == 0 and o.get("valid") and o.get("entries") == N + 2 and o.get("tree_size") == N + 2 and
          o.get("bundles_verified") == PACKETS,
          "the stop signed a head over the held-back packet's 2 entries: rc %d %r" % (rc, out[-300:]))
finally:
    try:
        proc.kill()
    except Exception:
        pass

print("audit_serve_test: %d checks, %d failures" % (checks, len(failures)))
if failures:
    print("kept", tmp)
    sys.exit(1)
shutil.rmtree(tmp, ignore_errors=True)
