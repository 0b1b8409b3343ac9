#!/usr/bin/env python3
"""The relay committee as processes (issue #7 "A relay committee"; PACKET.md "Attestations"; A05, A27, A30).

Two `causeway serve` processes, each holding ONE key of a 2-of-2 committee, with `[committee] peers` pointing at
each other, and one shared test-only loopback destination (`--test-loopback-deliveries --test-loopback-file`, which
refuses a replayed commitment and a delivery with fewer than k attestations, like recvPacket).
  1. one member alone cannot deliver: every packet stays `proven`, nothing reaches the destination;
  2. with both members, every packet is delivered exactly once although both try (the destination's receipt
     decides; the other member reconciles by look-up): the destination holds each commitment once, with 2
     attestations, and the two relays' `by_us` deliveries add up to the packet count;
  3. A05 a lying peer (a small HTTP server in this test) serving forged, non-member and wrong-index attestations:
     a third member relay refuses them all; its packets stay `proven`.
Usage: committee_process_test.py CAUSEWAY [--packets N]
"""
import argparse, http.client, http.server, json, os, shutil, signal, socket, sqlite3, subprocess, sys, tempfile
import threading, time

ap = argparse.ArgumentParser()
ap.add_argument("causeway")
ap.add_argument("--packets", type=int, default=100)
args = ap.parse_args()
CW = args.causeway
tmp = tempfile.mkdtemp(prefix="causeway-committee-")
failures = []
procs = []


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def write_key(path, fill):
    with open(path, "w") as f:
        f.write(fill * 64 + "\n")
    os.chmod(path, 0o600)
    out = subprocess.run([CW, "committee", "address", "--key-file", path], check=True, capture_output=True, text=True)
    return out.stdout.strip()


class Serve:
    def __init__(self, name, port, config, loopback_file):
        self.name, self.port, self.config, self.loopback_file = name, port, config, loopback_file
        self.data_dir = os.path.join(tmp, name)
        self.proc = None

    def start(self):
        cmd = [CW, "serve", "--listen", "127.0.0.1:%d" % self.port, "--data-dir", self.data_dir, "--config",
               self.config, "--test-loopback-deliveries", "--test-loopback-file", self.loopback_file]
        self.log = open(os.path.join(tmp, self.name + ".log"), "a")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        procs.append(self.proc)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise SystemExit("%s did not start: %r (see %s/%s.log)" % (self.name, line, tmp, self.name))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=30)
            check(rc == 0, "%s stops cleanly on SIGTERM (exit %s)" % (self.name, rc))

    def db(self, sql):
        c = sqlite3.connect("file:%s/causeway.db?mode=ro" % self.data_dir, uri=True, timeout=10)
        try:
            return c.execute(sql).fetchall()
        finally:
            c.close()


def post(port, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("POST", "/v1/packets", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        c.close()


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        c.close()


def wait_until(pred, limit_s=60):
    end = time.time() + limit_s  # a bound on a hang, not a speed assertion
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def loopback_lines(path):
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.endswith("\n")]


try:
    work = os.path.join(tmp, "work")
    subprocess.run([CW, "bench", "relay-core", "--emit-workload", work, "--packets", str(args.packets),
                    "--per-block", "25"], check=True, stdout=subprocess.DEVNULL)
    base = json.load(open(os.path.join(work, "config.json")))
    bundles = [json.dumps(json.loads(l)["bundle"]) for l in open(os.path.join(work, "bundles.jsonl"))]
    N = len(bundles)
    os.makedirs(os.path.join(tmp, "keys"))
    addr_a = write_key(os.path.join(tmp, "keys", "a.key"), "1")
    addr_b = write_key(os.path.join(tmp, "keys", "b.key"), "2")
    check(addr_a != addr_b and len(addr_a) == 42, "committee address prints each member's 0x address")
    port_a, port_b, port_liar = free_port(), free_port(), free_port()

    def config(name, key, peers):
        c = dict(base)
        c["committee"] = {"threshold": 2, "members": [addr_a, addr_b], "key_file": os.path.join(tmp, "keys", key),
                          "peers": peers}
        path = os.path.join(tmp, name + ".json")
        json.dump(c, open(path, "w"))
        return path

    dest = os.path.join(tmp, "destination.jsonl")
    A = Serve("a", port_a, config("a", "a.key", ["http://127.0.0.1:%d" % port_b]), dest)
    B = Serve("b", port_b, config("b", "b.key", ["http://127.0.0.1:%d" % port_a]), dest)

    # ---- 1. one member alone cannot deliver ---------------------------------------------------------------
    A.start()
    stages = set()
    for text in bundles:
        st, body = post(port_a, text)
        stages.add((st, body.get("stage")))
    check(stages == {(201, "proven")}, "member A alone: every packet answered 201, stage proven (k = 2): %s" % stages)
    st, _ = get(port_a, "/v1/attestations/x/y")
    check(st == 400, "a malformed packet id is answered 400")
    time.sleep(2.0)  # the peer is down: A keeps asking, nothing may be delivered meanwhile
    check(A.db("SELECT count(*) FROM packets WHERE stage = 'proven'")[0][0] == N,
          "member A alone: all %d packets stay proven" % N)
    check(loopback_lines(dest) == [], "member A alone: nothing reached the destination")
    check(A.db("SELECT count(*) FROM outbox")[0][0] == 0, "member A alone: no outbox rows")

    # ---- 2. both members: exactly once --------------------------------------------------------------------
    B.start()
    answers = set()
    for text in bundles:
        for _ in range(50):  # a busy machine may answer 429/503: the intake is idempotent, so ask again
            st, body = post(port_b, text)
            if st not in (429, 503):
                break
            time.sleep(0.2)
        answers.add((st, body.get("stage")))
    check({a[0] for a in answers} == {201}, "member B: every packet answered 201: %s" % sorted(answers))
    done = wait_until(lambda: A.db("SELECT count(*) FROM packets WHERE stage = 'delivered'")[0][0] == N and
                      B.db("SELECT count(*) FROM packets WHERE stage = 'delivered'")[0][0] == N)
    check(done, "both members: all %d packets delivered on both relays" % N)
    lines = loopback_lines(dest)
    commits = [l["commitment"] for l in lines]
    check(len(commits) == N and len(set(commits)) == N,
          "the destination received each of the %d commitments exactly once (%d lines)" % (N, len(commits)))
    check(all(l.get("attestations") == 2 for l in lines), "every delivery carried k = 2 attestations")
    by_us = A.db("SELECT count(*) FROM deliveries WHERE by_us = 1")[0][0] + \
        B.db("SELECT count(*) FROM deliveries WHERE by_us = 1")[0][0]
    check(by_us == N, "by_us deliveries of A and B add up to %d (got %d): the loser reconciled by look-up" % (N, by_us))
    check(A.db("SELECT count(*) FROM attestations")[0][0] == 2 * N, "A stores both members' attestations")
    # the route serves each member's own attestation over its own audit index
    pid = A.db("SELECT source_island, hex(source_genesis), source_channel, sequence FROM packets LIMIT 1")[0]
    packet_id = "%s/0x%s/%s/%d" % (pid[0], pid[1].lower(), pid[2], pid[3])
    st_a, att_a = get(port_a, "/v1/attestations/" + packet_id)
    st_b, att_b = get(port_b, "/v1/attestations/" + packet_id)
    check(st_a == 200 and st_b == 200 and att_a["member"] == addr_a and att_b["member"] == addr_b and
          att_a["commitment"] == att_b["commitment"] and att_a["packet_id"] == packet_id,
          "GET /v1/attestations/{id}: each member serves its own attestation")
    st, _ = get(port_a, "/v1/attestations/%s/0x%s/%s/%d" % (pid[0], pid[1].lower(), pid[2], 999999))
    check(st == 404, "an unknown packet is answered 404")

    # ---- 3. A05 a lying peer -------------------------------------------------------------------------------
    genuine = {}
    for (src, gen, ch, seq) in B.db("SELECT source_island, hex(source_genesis), source_channel, sequence FROM packets"):
        i = "%s/0x%s/%s/%d" % (src, gen.lower(), ch, seq)
        genuine[i] = get(port_b, "/v1/attestations/" + i)[1]
    lies = {}
    for n, (i, a) in enumerate(sorted(genuine.items())):
        lie = dict(a)
        kind = n % 3
        if kind == 0:  # wrong index: B's genuine signature with another audit index
            lie["audit_index"] = a["audit_index"] + 1
        elif kind == 1:  # forged: B's address, signature altered
            sig = bytearray.fromhex(a["signature"][2:])
            sig[5] ^= 0x01
            lie["signature"] = "0x" + sig.hex()
        else:  # non-member: an address outside the committee
            lie["member"] = "0x" + "ab" * 20
        lies["/v1/attestations/" + i] = lie

    class Liar(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = lies.get(self.path)
            data = json.dumps(body if body else {"error": {"code": "ERR_UNKNOWN_PACKET"}}).encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    liar = http.server.ThreadingHTTPServer(("127.0.0.1", port_liar), Liar)
    threading.Thread(target=liar.serve_forever, daemon=True).start()
    dest2 = os.path.join(tmp, "destination-c.jsonl")
    C = Serve("c", free_port(), config("c", "a.key", ["http://127.0.0.1:%d" % port_liar]), dest2)
    C.start()
    for text in bundles:
        post(C.port, text)
    time.sleep(3.0)  # several fetch rounds against the liar
    check(C.db("SELECT count(*) FROM packets WHERE stage = 'proven'")[0][0] == N,
          "A05 lying peer: all %d packets stay proven" % N)
    check(C.db("SELECT count(*) FROM attestations")[0][0] == N, "A05 lying peer: no forged attestation was stored")
    check(loopback_lines(dest2) == [], "A05 lying peer: nothing was delivered")
    C.stop()
    log = open(os.path.join(tmp, "c.log")).read()
    for code in ("ERR_SIG_INVALID", "ERR_NOT_VALIDATOR"):
        check(code in log, "A05 lying peer: the relay logged refusals with %s" % code)
    liar.shutdown()
    A.stop()
    B.stop()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()

if failures:
    print("%d check(s) failed; logs in %s" % (len(failures), tmp))
    sys.exit(1)
shutil.rmtree(tmp, ignore_errors=True)
print("committee process test: all checks passed")
