#!/usr/bin/env python3
"""`causeway serve` as a process (issue #5 "Intake and crash safety").

Part A: POST /v1/packets over real HTTP — 201 for a new packet (after the commit), 200 with the existing record
for a known one, JSON errors {"error": {"code", "message", "details"}} with 400 / 413 / 422 statuses.
Part B: the crash harness — 10,000 real packets (causeway-devnet/v1 blocks signed by 4 validators, one proof
bundle per packet, from `causeway bench relay-core --emit-workload`), fed over HTTP by 8 clients while the relay
is SIGKILLed at 20 seeded random moments and restarted each time. Deliveries go to the test-only loopback
destination (`--test-loopback-deliveries`), which appends every submitted delivery to a file.
At the end: every packet acknowledged to its submitter exists exactly once; none was submitted or delivered
twice; the stage/outbox/attestation/audit invariants hold; `causeway audit verify` passes; integrity_check ok.
Usage: relay_crash_test.py CAUSEWAY [--packets N] [--kills K] [--seed S]
"""
import argparse, http.client, json, os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("causeway")
ap.add_argument("--packets", type=int, default=10000)
ap.add_argument("--per-block", type=int, default=500)
ap.add_argument("--kills", type=int, default=20)
ap.add_argument("--seed", type=int, default=20240605)
args = ap.parse_args()
CW = args.causeway
rng = random.Random(args.seed)
tmp = tempfile.mkdtemp(prefix="causeway-crash-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


class Relay:
    def __init__(self, data_dir, config, loopback):
        self.data_dir, self.config, self.loopback = data_dir, config, loopback
        self.proc, self.port = None, None

    def start(self):
        cmd = [CW, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir, "--config", self.config]
        if self.loopback:
            cmd.append("--test-loopback-deliveries")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "serve.log"), "a"),
                                     text=True)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise SystemExit("serve did not start: %r (see %s/serve.log)" % (line, tmp))
        self.port = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def term(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def post(port, body, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", "/v1/packets", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        c.close()


# ---- workload -----------------------------------------------------------------------------------------------
work = os.path.join(tmp, "work")
subprocess.run([CW, "bench", "relay-core", "--emit-workload", work, "--packets", str(args.packets), "--per-block",
                str(args.per_block)], check=True)
config = os.path.join(work, "config.json")
bundles = [json.loads(l) for l in open(os.path.join(work, "bundles.jsonl"))]
texts = [json.dumps(b["bundle"]) for b in bundles]
print("workload: %d bundles in %d blocks" % (len(bundles), bundles[-1]["block"]), flush=True)

# ---- Part A: the route over real HTTP -------------------------------------------------------------------------
relay = Relay(os.path.join(tmp, "route"), config, False)
relay.start()
s, b = post(relay.port, texts[1])  # block 1's second packet before its opener: anchor not held (A03)
check(s == 422 and b["error"]["code"] == "ERR_UNTRUSTED_ANCHOR", "A03 over HTTP: %s %s" % (s, b))
check(set(b.get("error", {}).keys()) == {"code", "message", "details"}, "error shape %s" % b)
s, b = post(relay.port, texts[0])
check(s == 201 and b["stage"] == "attested" and not b["existing"] and b["audit_index"] >= 0, "201 new: %s %s" % (s, b))
first = b
s, b = post(relay.port, texts[0])
check(s == 200 and b["existing"] and b["packet_id"] == first["packet_id"] and b["audit_index"] == first["audit_index"],
      "200 existing: %s %s" % (s, b))
s, b = post(relay.port, "{not json")
check(s == 400 and b["error"]["code"] in ("ERR_BUNDLE_PARSE", "ERR_BUNDLE_SCHEMA"), "400 not json: %s %s" % (s, b))
s, b = post(relay.port, json.dumps({"version": 1, "family": "bft"}))
check(s == 400 and b["error"]["code"] == "ERR_BUNDLE_SCHEMA", "400 schema: %s %s" % (s, b))
import socket
sock = socket.create_connection(("127.0.0.1", relay.port), timeout=30)  # A29: answered before the body is read
sock.sendall(b"POST /v1/packets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 18446744073709551613\r\n\r\n[[[[")
reply = b""
while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
    chunk = sock.recv(65536)
    if not chunk:
        break
    reply += chunk
sock.close()
status = int(reply.split(b" ", 2)[1]) if reply else 0
body = json.loads(reply.split(b"\r\n\r\n", 1)[1]) if b"\r\n\r\n" in reply else {}
check(status == 413 and body.get("error", {}).get("code") == "ERR_TOO_LARGE", "413: %r" % reply[:200])
relay.term()
print("part A (route) done", flush=True)

# ---- Part B: 10,000 packets, 20 SIGKILLs ----------------------------------------------------------------------
data = os.path.join(tmp, "crash")
relay = Relay(data, config, True)
relay.start()
lock = threading.Lock()
up = threading.Event()
up.set()
acked = {}          # index -> response body
acked_count = [0]
kill_at = sorted(rng.sample(range(50, len(texts) - 50), args.kills))
kills_done = [0]
errors = []


def maybe_kill():
    with lock:
        due = kills_done[0] < len(kill_at) and acked_count[0] >= kill_at[kills_done[0]]
        if due:
            kills_done[0] += 1
            up.clear()
    if not due:
        return
    time.sleep(rng.random() * 0.05)  # a random moment: requests are in flight, batches half-written
    relay.kill()
    relay.start()
    up.set()


def submit(i):
    while True:
        up.wait()
        port = relay.port
        try:
            s, b = post(port, texts[i])
        except (ConnectionError, OSError, http.client.HTTPException):
            time.sleep(0.05)
            continue  # the relay died before answering: not acknowledged, so the submitter retries
        if s in (200, 201):
            with lock:
                acked[i] = b
                acked_count[0] += 1
            maybe_kill()
            return
        if s in (503, 429):  # busy, or over the per-client rate limit (Retry-After): retry
            time.sleep(0.05)
            continue
        with lock:
            errors.append((i, s, b))
        return


t0 = time.time()
block_start = 0
while block_start < len(texts):
    block = bundles[block_start]["block"]
    end = block_start
    while end < len(texts) and bundles[end]["block"] == block:
        end += 1
    submit(block_start)  # the opener advances the client to this block
    todo = list(range(block_start + 1, end))
    threads = []
    for k in range(8):
        def worker(part=todo[k::8]):
            for i in part:
                submit(i)
        th = threading.Thread(target=worker)
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    block_start = end
feed_s = time.time() - t0
check(not errors, "refused packets: %s" % errors[:3])
check(len(acked) == len(texts), "acknowledged %d of %d" % (len(acked), len(texts)))
check(kills_done[0] == args.kills, "kills %d of %d" % (kills_done[0], args.kills))
print("fed %d packets in %.1f s with %d SIGKILLs" % (len(acked), feed_s, kills_done[0]), flush=True)

# Let the delivery worker drain the outbox, then stop cleanly.
db_path = os.path.join(data, "causeway.db")
deadline = time.time() + 90
while time.time() < deadline:
    con = sqlite3.connect(db_path, timeout=10)
    pending = con.execute("SELECT count(*) FROM outbox WHERE state != 'delivered'").fetchone()[0]
    con.close()
    if pending == 0:
        break
    time.sleep(0.5)
relay.term()

# ---- checks ------------------------------------------------------------------------------------------------------
con = sqlite3.connect(db_path)
q = lambda sql: con.execute(sql).fetchall()
check(q("PRAGMA integrity_check") == [("ok",)], "integrity_check")
ids = {}
for r in q("SELECT source_island, lower(hex(source_genesis)), source_channel, sequence, stage, verified_index FROM packets"):
    key = "%s/0x%s/%s/%d" % r[:4]
    ids[key] = ids.get(key, 0) + 1
for i, body in acked.items():
    check(ids.get(body["packet_id"]) == 1, "acknowledged packet %s exists exactly once" % body["packet_id"])
check(len(ids) == len(texts), "packets stored %d" % len(ids))
check(q("SELECT count(*) FROM audit_leaves WHERE kind='packet_verified'") == [(len(texts),)], "one packet_verified each")
check(q("SELECT count(*) FROM audit_leaves WHERE kind='packet_attested'") == [(len(texts),)], "one packet_attested each")
check(q("SELECT count(*) FROM attestations") == [(len(texts),)], "one attestation each")
# the audit index each submitter was told is the one stored
stored_idx = {"%s/0x%s/%s/%d" % r[:4]: r[4] for r in
              q("SELECT source_island, lower(hex(source_genesis)), source_channel, sequence, verified_index FROM packets")}
check(all(stored_idx[b["packet_id"]] == b["audit_index"] for b in acked.values()), "acknowledged audit indexes stored")
check(q("SELECT count(*) FROM audit_leaves a JOIN packets p ON a.idx = p.verified_index WHERE a.kind='packet_verified'")
      == [(len(texts),)], "verified_index points at packet_verified leaves")
# none delivered twice: the loopback destination saw each commitment submitted once
seen = {}
for line in open(os.path.join(data, "loopback-deliveries.jsonl")):
    try:
        c = json.loads(line)["commitment"]
    except ValueError:
        continue
    seen[c] = seen.get(c, 0) + 1
check(all(n == 1 for n in seen.values()), "a packet was submitted twice: %s" % [c for c, n in seen.items() if n > 1][:3])
check(len(seen) == len(texts), "loopback deliveries %d" % len(seen))
check(q("SELECT count(*), count(DISTINCT packet) FROM deliveries") == [(len(texts), len(texts))], "one delivery each")
check(q("SELECT count(*) FROM packets WHERE stage != 'delivered'") == [(0,)], "every packet delivered")
check(q("SELECT count(*) FROM outbox WHERE state != 'delivered'") == [(0,)], "outbox drained")
check(q("SELECT count(*) FROM audit_leaves WHERE kind='packet_delivered'") == [(len(texts),)], "one packet_delivered each")
con.close()
r = subprocess.run([CW, "audit", "sth", "--data-dir", data], capture_output=True, text=True)
check(r.returncode == 0, "audit sth: %s %s" % (r.stdout, r.stderr))
r = subprocess.run([CW, "audit", "verify", "--data-dir", data], capture_output=True, text=True)
check(r.returncode == 0, "audit verify: %s %s" % (r.stdout[-500:], r.stderr[-500:]))
print(r.stdout.strip()[-300:], flush=True)

if failures:
    print("%d checks failed; data kept in %s" % (len(failures), tmp))
    sys.exit(1)
shutil.rmtree(tmp)
print("relay crash harness: %d packets, %d SIGKILLs, all checks passed (%.1f s)" % (len(texts), args.kills,
                                                                                    time.time() - t0))
