#!/usr/bin/env python3
"""CLI of issue #6 against real processes: `config validate` (the example config validates; bad files exit 2
with a precise message), `keys add|list|rotate` (0600 files, rotation keeps the old key), the read commands
(`island list|status`, `channel list`, `packet list|status`, `proof get`) and the governance records (`island
update`, `client recover`, `channel close`) against a running `causeway serve` fed with real signed devnet bundles
(`causeway bench relay-core --emit-workload`).
Usage: cli_test.py CAUSEWAY REPO_ROOT
"""
import http.client, json, os, re, shutil, stat, subprocess, sys, tempfile

CW, ROOT = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="causeway-cli-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)


def run(*args, check_rc=None):
    p = subprocess.run([CW, *args], capture_output=True, text=True, timeout=120)
    if check_rc is not None and p.returncode != check_rc:
        print("  command:", args, "rc", p.returncode, "\n  stdout:", p.stdout[-2000:], "\n  stderr:", p.stderr[-2000:])
    return p


# ---- config validate -------------------------------------------------------------------------------------
example = os.path.join(ROOT, "deploy/config/relay.example.toml")
p = run("config", "validate", example, check_rc=0)
check(p.returncode == 0 and "valid (2 islands, 1 channels, committee 1 of 1)" in p.stdout,
      "config validate accepts deploy/config/relay.example.toml")
p = run("config", "validate", example, "--json", check_rc=0)
check(p.returncode == 0 and json.loads(p.stdout) == {"ok": True, "file": example, "islands": 2, "channels": 1,
                                                     "committee": {"threshold": 1, "members": 1}},
      "config validate --json reports the counts")

text = open(example).read()
bad = os.path.join(tmp, "bad-genesis.toml")
open(bad, "w").write(re.sub(r'genesis = "0x[0-9a-f]{64}"', 'genesis = "0x1234"', text, count=1))
p = run("config", "validate", bad, check_rc=2)
check(p.returncode == 2 and "ERR_BODY_SCHEMA" in p.stderr and "islands[0]" in p.stderr and "genesis" in p.stderr,
      "a short genesis hash: exit 2, ERR_BODY_SCHEMA at islands[0].genesis (%r)" % p.stderr.strip())
bad2 = os.path.join(tmp, "bad-key.toml")
open(bad2, "w").write(text + "\n[gatewy]\nlisten = \"x\"\n")
p = run("config", "validate", bad2, "--json", check_rc=2)
j = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
check(p.returncode == 2 and j.get("ok") is False and j["error"]["code"] == "ERR_BODY_SCHEMA",
      "an unknown top-level section: exit 2, ERR_BODY_SCHEMA (%r)" % j)
bad3 = os.path.join(tmp, "bad-sig.toml")
m = re.search(r'signatures = \[\s*"0x([0-9a-f]{130})"', text)
check(m is not None, "the example carries signatures")
if m:
    sig = m.group(1)
    flipped = sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]
    open(bad3, "w").write(text.replace(sig, flipped, 1))
    p = run("config", "validate", bad3, check_rc=2)
    check(p.returncode == 2 and "islands[0]" in p.stderr and "ERR_BODY_SCHEMA" not in p.stderr,
          "a forged governance signature passes the schema and fails relay/domain: exit 2 (%r)" % p.stderr.strip())
p = run("config", "validate", os.path.join(tmp, "missing.toml"), check_rc=2)
check(p.returncode == 2 and "ERR_IO" in p.stderr, "a missing file: exit 2, ERR_IO")
p = run("config", "validate", check_rc=2)
check(p.returncode == 2, "config validate without FILE: usage, exit 2")
# [[adapters.islands]] entries pass the schema but not the checks `serve` runs: validate runs the same function
# (engine::check_config) and refuses them; serve refuses them with exit 2 (a config error) before starting.
adapter_cases = [
    ("adapter-unknown-island", '[[adapters.islands]]\nisland = "cwdevnet:nowhere"\nkind = "devnet"\n'
     'rpc = ["http://127.0.0.1:26657"]\n', "adapters.islands[0].island"),
    ("adapter-ws-no-host", '[[adapters.islands]]\nisland = "cwdevnet:cw-src"\nkind = "evm"\n'
     'rpc = ["http://127.0.0.1:8545"]\nws = "ws://"\n', "adapters.islands[0].ws"),
    ("adapter-ws-empty-port", '[[adapters.islands]]\nisland = "cwdevnet:cw-src"\nkind = "evm"\n'
     'rpc = ["http://127.0.0.1:8545"]\nws = "ws://127.0.0.1:"\n', "adapters.islands[0].ws"),
    ("adapter-https-rpc", '[[adapters.islands]]\nisland = "cwdevnet:cw-src"\nkind = "devnet"\n'
     'rpc = ["https://node.example:443"]\n', "adapters.islands[0].rpc[0]"),
    ("adapter-bitcoin-on-devnet", '[[adapters.islands]]\nisland = "cwdevnet:cw-src"\nkind = "bitcoin"\n'
     'rpc = ["http://127.0.0.1:18443"]\nrpc_cookie_file = "/var/lib/bitcoind/.cookie"\n', "adapters.islands[0].kind"),
    ("adapter-rpc-user-on-devnet", '[[adapters.islands]]\nisland = "cwdevnet:cw-src"\nkind = "devnet"\n'
     'rpc = ["http://127.0.0.1:26657"]\nrpc_user = "u"\n', "adapters.islands[0].rpc_user"),
]
for name, block, where in adapter_cases:
    f = os.path.join(tmp, name + ".toml")
    open(f, "w").write(text + "\n" + block)
    p = run("config", "validate", f, check_rc=2)
    check(p.returncode == 2 and "ERR_INVALID_ARGUMENT" in p.stderr and where in p.stderr,
          "config validate %s: exit 2, ERR_INVALID_ARGUMENT at %s (%r)" % (name, where, p.stderr.strip()))
    p = run("serve", "--config", f, "--data-dir", os.path.join(tmp, "serve-" + name), "--listen", "127.0.0.1:0",
            check_rc=2)
    check(p.returncode == 2 and where in p.stderr,
          "serve --config %s: exit 2 before starting (%r)" % (name, p.stderr.strip()))

# ---- [gateway] limits from the config file; a flag on the command line overrides its key ----------------------
for name, old, new, code, where in [
        ("gateway-body-too-small", "max_body_bytes = 1048576", "max_body_bytes = 10", "ERR_BODY_SCHEMA",
         "gateway.max_body_bytes"),
        ("gateway-negative-rate", "rate_per_ip = 200", "rate_per_ip = -1", "ERR_BODY_SCHEMA", "gateway"),
        ("gateway-unknown-key", "rate_per_ip = 200", "rate_per_ipp = 200", "ERR_BODY_SCHEMA", "gateway"),
        ("gateway-per-ip-above-all", "# max_connections = 4096", "max_connections = 8\nmax_connections_per_ip = 9",
         "ERR_INVALID_ARGUMENT", "gateway.max_connections_per_ip")]:
    f = os.path.join(tmp, name + ".toml")
    check(old in text, "the example holds %r" % old)
    open(f, "w").write(text.replace(old, new, 1))
    p = run("config", "validate", f, check_rc=2)
    check(p.returncode == 2 and code in p.stderr and where in p.stderr,
          "config validate %s: exit 2, %s at %s (%r)" % (name, code, where, p.stderr.strip()))
    if where != "gateway":  # serve runs the same range checks (engine::check_config) without the schema
        p = run("serve", "--config", f, "--data-dir", os.path.join(tmp, "serve-" + name), "--listen", "127.0.0.1:0",
                check_rc=2)
        check(p.returncode == 2 and "ERR_INVALID_ARGUMENT" in p.stderr and where in p.stderr,
              "serve --config %s: exit 2 before starting, ERR_INVALID_ARGUMENT at %s (%r)" % (name, where, p.stderr.strip()))


def post_status(port, path, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", path, body, {"Content-Type": "application/json"})
        return c.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return None  # the server may close before reading a refused body
    finally:
        c.close()


small = os.path.join(tmp, "gateway-small-body.toml")
open(small, "w").write(text.replace("max_body_bytes = 1048576", "max_body_bytes = 2048", 1))
body_3k = json.dumps({"padding": "x" * 3000})
for extra, expect_413, what in [([], True, "the file's max_body_bytes = 2048 refuses a 3 KB body: 413"),
                                (["--max-body", "8192"], False, "--max-body 8192 on the command line overrides the file")]:
    proc_g = subprocess.Popen([CW, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                               os.path.join(tmp, "data-gw-%d" % len(extra)), "--config", small, *extra],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "serve-gw.log"), "a"), text=True)
    try:
        line = proc_g.stdout.readline()
        port_g = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])
        st = post_status(port_g, "/v1/islands", body_3k)
        check((st == 413) == expect_413 and st is not None, "%s (status %s)" % (what, st))
    finally:
        proc_g.terminate()
        proc_g.wait(timeout=30)

# ---- bench e2e usage errors (exit 2 before anything starts; no anvil needed) -------------------------------
p = run("bench", "e2e", "--packets", "2", "--senders", "3", check_rc=2)
check(p.returncode == 2 and "--senders" in p.stderr, "bench e2e --senders > --packets: usage, exit 2 (%r)" % p.stderr.strip())
p = run("bench", "e2e", "--anvil", "", "--packets", "2", "--senders", "1", check_rc=2)
check(p.returncode == 2 and "--anvil" in p.stderr, "bench e2e --anvil '': usage, exit 2 (%r)" % p.stderr.strip())

# ---- keys ---------------------------------------------------------------------------------------------
kd = os.path.join(tmp, "keys")
p = run("keys", "add", "attestation", "--data-dir", kd, "--json", check_rc=0)
j = json.loads(p.stdout)
addr1 = j["address"]
mode = stat.S_IMODE(os.stat(os.path.join(kd, "attestation.key")).st_mode)
check(p.returncode == 0 and re.fullmatch(r"0x[0-9a-f]{40}", addr1) and mode == 0o600,
      "keys add attestation: a 0600 file and its address")
p = run("keys", "add", "attestation", "--data-dir", kd, check_rc=1)
check(p.returncode == 1 and "already exists" in p.stderr, "keys add refuses an existing key (exit 1)")
p = run("keys", "list", "--data-dir", kd, "--json", check_rc=0)
j = json.loads(p.stdout)
check(j["keys"][0] == {"key": "attestation", "file": os.path.join(kd, "attestation.key"), "present": True,
                       "address": addr1} and j["keys"][1]["present"] is False,
      "keys list: the attestation address, submitter absent")
p = run("keys", "rotate", "attestation", "--data-dir", kd, "--json", check_rc=0)
j = json.loads(p.stdout)
kept = j.get("old_file", "")
check(p.returncode == 0 and j["old_address"] == addr1 and j["address"] != addr1 and os.path.exists(kept)
      and re.search(r"attestation\.key\.\d{8}T\d{6}Z$", kept)
      and stat.S_IMODE(os.stat(kept).st_mode) == 0o600 and "committee member address" in j["note"],
      "keys rotate: old key kept with a timestamp, a new address, the committee note")
p = run("keys", "rotate", "submitter", "--data-dir", kd, check_rc=1)
check(p.returncode == 1, "keys rotate of an absent key: exit 1")
os.chmod(os.path.join(kd, "attestation.key"), 0o644)
p = run("keys", "list", "--data-dir", kd, check_rc=1)
check(p.returncode == 1 and "ERR_KEY_PERMISSIONS" in p.stdout, "keys list: a 0644 key is reported, exit 1")
p = run("keys", "add", "bogus", "--data-dir", kd, check_rc=2)
check(p.returncode == 2, "keys add of an unknown key name: usage, exit 2")

# ---- read commands against a running relay ------------------------------------------------------------
wl = os.path.join(tmp, "workload")
run("bench", "relay-core", "--packets", "100", "--per-block", "50", "--emit-workload", wl, check_rc=0)
data = os.path.join(tmp, "data")
token_file, wrong_token_file = os.path.join(tmp, "api.token"), os.path.join(tmp, "wrong.token")
for path, token in ((token_file, "cli-test-operator-token-0123456789"), (wrong_token_file, "wrong-token-0123456789ab")):
    with open(path, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
proc = subprocess.Popen([CW, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--config",
                         os.path.join(wl, "config.json"), "--api-token-file", token_file], stdout=subprocess.PIPE,
                        stderr=open(os.path.join(tmp, "serve.log"), "w"), text=True)
try:
    line = proc.stdout.readline()
    port = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])
    url = "http://127.0.0.1:%d" % port
    ids = []
    for l in open(os.path.join(wl, "bundles.jsonl")):
        b = json.loads(l)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/v1/packets", json.dumps(b["bundle"]), {"Content-Type": "application/json"})
        r = c.getresponse()
        ids.append(json.loads(r.read())["packet_id"])
        c.close()
    check(len(ids) == 100, "100 bundles accepted over HTTP")

    p = run("island", "list", "--url", url, check_rc=0)
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0 and lines[0].split() == ["ISLAND", "FAMILY", "CODEC", "CLIENT", "HEIGHT", "EXPIRY_S"]
          and lines[1].split()[:4] == ["cwdevnet:cw-src", "bft", "causeway-devnet/v1", "active"]
          and lines[1].split()[4] == "2" and len(lines) == 3,
          "island list: a table of both islands (source at height 2)")
    p = run("island", "status", "cwdevnet:cw-src", "--url", url, "--json", check_rc=0)
    j = json.loads(p.stdout)
    check(j["id"] == "cwdevnet:cw-src" and j["client"]["consensus_states"] == 3, "island status --json")
    p = run("island", "status", "cwdevnet:nope", "--url", url, check_rc=1)
    check(p.returncode == 1 and "ERR_UNKNOWN_ISLAND" in p.stderr and "HTTP 404" in p.stderr,
          "island status of an unknown island: exit 1, ERR_UNKNOWN_ISLAND")
    p = run("channel", "list", "--url", url, check_rc=0)
    check(p.returncode == 0 and len(p.stdout.strip().splitlines()) == 3 and "cwdevnet:cw-dst/channel-0" in p.stdout,
          "channel list: both ends")
    p = run("packet", "list", "--channel", "cwdevnet:cw-src/channel-0", "--limit", "10", "--url", url, check_rc=0)
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0 and len(lines) == 12 and lines[1].split()[:2] == ["1", "attested"]
          and lines[-1] == "more: --after 10", "packet list: first page of 10 and the cursor")
    p = run("packet", "list", "--channel", "cwdevnet:cw-src/channel-0", "--after", "95", "--url", url, "--json",
            check_rc=0)
    j = json.loads(p.stdout)
    check([x["source"]["sequence"] for x in j["packets"]] == [96, 97, 98, 99, 100] and j["next_after"] is None,
          "packet list --after 95 --json: the last five")
    p = run("packet", "status", ids[7], "--url", url, check_rc=0)
    check(p.returncode == 0 and re.search(r"^stage\s+attested$", p.stdout, re.M) is not None,
          "packet status: stage attested")
    p = run("packet", "status", ids[7].rsplit("/", 1)[0] + "/1000", "--url", url, "--json", check_rc=1)
    check(p.returncode == 1 and json.loads(p.stdout)["error"]["code"] == "ERR_UNKNOWN_PACKET",
          "packet status of an unknown packet: exit 1, ERR_UNKNOWN_PACKET")
    out = os.path.join(tmp, "bundle.json")
    p = run("proof", "get", ids[3], "-o", out, "--url", url, check_rc=0)
    first = [json.loads(l) for l in open(os.path.join(wl, "bundles.jsonl"))][3]["bundle"]
    check(p.returncode == 0 and json.load(open(out)) == first, "proof get -o: the accepted bundle")
    p = run("packet", "list", "--channel", "x", "--url", url, check_rc=1)
    check(p.returncode == 1 and "ERR_INVALID_ARGUMENT" in p.stderr, "packet list with a bad channel: exit 1")
    # A05 operator `channel resume`: the bearer token is sent; an open channel is not halted (422).
    p = run("channel", "resume", "cwdevnet:cw-src", "channel-0", "--token-file", token_file, "--reason", "check",
            "--url", url, "--json", check_rc=1)
    j = json.loads(p.stdout) if p.stdout.strip() else {}
    check(p.returncode == 1 and j.get("error", {}).get("code") == "ERR_ILLEGAL_TRANSITION"
          and j["error"].get("http_status") == 422, "channel resume of an open channel: exit 1, ERR_ILLEGAL_TRANSITION")
    p = run("channel", "resume", "cwdevnet:cw-src", "channel-0", "--token-file", wrong_token_file, "--url", url,
            check_rc=1)
    check(p.returncode == 1 and "ERR_UNAUTHORIZED" in p.stderr and "HTTP 401" in p.stderr,
          "channel resume with a wrong token: exit 1, ERR_UNAUTHORIZED")
    p = run("channel", "resume", "cwdevnet:cw-src", "channel-0", "--token-file", os.path.join(tmp, "absent"),
            "--url", url, check_rc=2)
    check(p.returncode == 2, "channel resume with an unreadable token file: exit 2")
    # Governance records (`island update`, `client recover`, `channel close`): signed locally with the workload's
    # governance keys (relay_workload.cpp: SHA-256 of "causeway-bench/gov/src" / "…/dst"), nonce read from the relay.
    import hashlib
    cfg = json.load(open(os.path.join(wl, "config.json")))
    gov = {}
    for name in ("src", "dst"):
        gov[name] = os.path.join(tmp, "gov-%s.key" % name)
        with open(gov[name], "w") as f:
            f.write(hashlib.sha256(("causeway-bench/gov/" + name).encode()).hexdigest() + "\n")
        os.chmod(gov[name], 0o600)
    rec = os.path.join(tmp, "island-src.json")
    json.dump(cfg["islands"][0], open(rec, "w"))
    p = run("island", "update", "--record", rec, "--key-file", gov["src"], "--token-file", token_file, "--url", url,
            "--json", check_rc=0)
    j = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    check(p.returncode == 0 and j.get("nonce") == 3 and j["spec"]["id"] == "cwdevnet:cw-src",
          "island update: signed with nonce 3 (registration 1, channel open 2), applied")
    p = run("island", "update", "--record", rec, "--key-file", gov["src"], "--token-file", token_file, "--nonce", "3",
            "--url", url, check_rc=1)
    check(p.returncode == 1 and "ERR_GOVERNANCE_NONCE" in p.stderr and "HTTP 422" in p.stderr,
          "island update replayed with nonce 3: exit 1, ERR_GOVERNANCE_NONCE")
    p = run("island", "update", "--record", rec, "--key-file", gov["dst"], "--token-file", token_file, "--url", url,
            check_rc=1)
    check(p.returncode == 1 and "ERR_NOT_VALIDATOR" in p.stderr, "island update signed by another island's key: exit 1")
    p = run("client", "recover", "cwdevnet:cw-src", "--height", "1", "--hash", "0x" + "11" * 32, "--time-s", "1000",
            "--key-file", gov["src"], "--token-file", token_file, "--url", url, "--json", check_rc=1)
    j = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    check(p.returncode == 1 and j.get("error", {}).get("code") == "ERR_ILLEGAL_TRANSITION",
          "client recover of an active client: exit 1, ERR_ILLEGAL_TRANSITION")
    chrec = os.path.join(tmp, "channel.json")
    json.dump(cfg["channels"][0], open(chrec, "w"))
    p = run("channel", "close", "cwdevnet:cw-src", "channel-0", "--record", chrec, "--key-file-a", gov["src"],
            "--key-file-b", gov["dst"], "--token-file", token_file, "--url", url, check_rc=0)
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0 and lines[0].split() == ["ISLAND", "CHANNEL", "STATE", "AUDIT_INDEX"]
          and [l.split()[2] for l in lines[1:]] == ["closed", "closed"], "channel close: both ends closed")
    p = run("channel", "list", "--url", url, "--json", check_rc=0)
    check([c["state"] for c in json.loads(p.stdout)["channels"]] == ["closed", "closed"], "channel list: state closed")
    p = run("channel", "close", "cwdevnet:cw-src", "channel-0", "--record", chrec, "--key-file-a", gov["src"],
            "--key-file-b", gov["dst"], "--token-file", token_file, "--url", url, check_rc=1)
    check(p.returncode == 1 and "ERR_CHANNEL_CLOSED" in p.stderr, "channel close again: exit 1, ERR_CHANNEL_CLOSED")
    p = run("island", "list", "--url", "http://127.0.0.1:1", check_rc=1)
    check(p.returncode == 1 and "cannot reach the relay" in p.stderr, "unreachable relay: exit 1")
    p = run("island", "list", "--url", "ftp://127.0.0.1", check_rc=2)
    check(p.returncode == 2, "a --url that is not http://: exit 2")
finally:
    proc.terminate()
    proc.wait(timeout=30)

if failures:
    print("%d FAILED (logs in %s)" % (len(failures), tmp))
    sys.exit(1)
shutil.rmtree(tmp, ignore_errors=True)
print("all passed")
