"""The main job's set-up, shared by deploy/lib/mainjob.py and the end-to-end tests in tests/e2e/ (issue #7).

Two anvil chains (31337, 31338; 1 s blocks), a 4-validator causeway-devnet, the contracts (k=2), the demo ERC-20,
the governance-signed island and channel records, the relays' submitter accounts and the `causeway serve`
processes of a 2-of-2 committee; then the read-only chain queries and transfer helpers the steps use. Python 3
standard library only. Balances are read from the chains, never from the relay.

`Job` holds the work directory, the started processes (each stopped by its pid) and the step lines
(`ok` / `FAILED` / `WAITS`); `Net(job, …).setup()` builds the chains and records, `Net.start_relay(m)` starts one
committee member. Every process is started through `Job.start`, so `Job.stop_all()` (in a `finally`) stops them.
"""
import http.client, json, os, signal, socket, subprocess, time, urllib.parse

import evm_abi  # keccak-256 and ABI words for the read-only eth_calls

# The public Hardhat/anvil test account 0 (never use it for value): the deployer and governance key of the demo.
DEV_KEY0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
DEV_ADDR0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
# Public test account 1: the demo's token owner and transfer user on every chain (never governance or committee:
# the relay refuses a receiver that is one, A04). Account 2 funds the relays' submitter accounts.
DEV_KEY1 = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
DEV_ADDR1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
DEV_ADDR2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
SUPPLY = 1000000
# Bitcoin mainnet (BIP 122 / CAIP-2): the genesis block hash in display order and the island id it gives.
BTC_GENESIS = "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
BTC_ISLAND = "bip122:000000000019d6689c085ae165831e93"
ZERO_ADDR = "0x" + "0" * 40


class Failed(Exception):
    pass


class Job:
    """The work directory, the processes started (stopped by pid) and the step lines of one run."""

    def __init__(self, work, t0=None):
        self.work = work
        self.T0 = t0 if t0 is not None else time.time()
        self.procs = []       # (name, Popen) — stopped by pid in stop_all
        self.results = []     # (step, status, detail)
        self.timeline = []    # (label, seconds since start)

    def step(self, name, status, detail=""):
        self.results.append((name, status, detail))
        self.timeline.append((name, time.time() - self.T0))
        print("  %-6s %-44s %s" % (status, name, detail), flush=True)

    def must(self, cond, name, detail=""):
        if not cond:
            self.step(name, "FAILED", detail)
            raise Failed(name)

    def start(self, name, cmd, ready=None, timeout=30):
        """Starts a process (stdout captured line by line for `ready`), logs to <work>/<name>.log (appended)."""
        log = open(os.path.join(self.work, name + ".log"), "a")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE if ready else log, stderr=log, text=True)
        self.procs.append((name, p))
        first = None
        if ready:
            end = time.time() + timeout
            while time.time() < end:
                line = p.stdout.readline()
                if not line:
                    break
                log.write(line)
                log.flush()
                if ready(line):
                    first = line
                    break
        return p, first

    def proc(self, name):
        """The latest process started under `name` (None if none)."""
        for n, p in reversed(self.procs):
            if n == name:
                return p
        return None

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        """Stops the latest process named `name` (by its pid) with `sig` and waits for it; its exit status."""
        p = self.proc(name)
        if p is None or p.poll() is not None:
            return p.returncode if p is not None else None
        p.send_signal(sig)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            return p.wait()

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def still_running(self):
        return [n for n, p in self.procs if p.poll() is None]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rpc(url, method, params=None, timeout=10):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("POST", u.path or "/", json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                                    "params": params or []}),
                  {"Content-Type": "application/json"})
        r = json.loads(c.getresponse().read())
    finally:
        c.close()
    if "error" in r:
        raise RuntimeError("%s: %s" % (method, r["error"]))
    return r["result"]


def http_get(port, path, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def wait_rpc(url, method, limit=20):
    end = time.time() + limit
    while time.time() < end:
        try:
            return rpc(url, method)
        except Exception:
            time.sleep(0.2)
    return None


def write_key(path, hex64):
    with open(path, "w") as f:
        f.write(hex64 + "\n")
    os.chmod(path, 0o600)


# ---- read-only chain queries (balances are read from the chains, never from the relay) ---------------------
def eth_call(url, to, data):
    return rpc(url, "eth_call", [{"to": to, "data": data}, "latest"])


def erc20_balance(url, token, owner):
    return int(eth_call(url, token, evm_abi.call_data("balanceOf(address)", evm_abi.word_address(owner))), 16)


def voucher_for(url, app, trace):
    r = eth_call(url, app, evm_abi.call_data("voucherFor(string)", evm_abi.enc_string_arg(trace)))
    return "0x" + r[-40:]


def sent_status(url, endpoint, commitment):
    """Endpoint.sentStatus: 0 unknown, 1 pending, 2 acknowledged, 3 refunded (error ack), 4 timed out + refunded."""
    return int(eth_call(url, endpoint, evm_abi.call_data("sentStatus(bytes32)", evm_abi.word_bytes32(commitment))), 16)


def wait_until(pred, limit, poll=0.25):
    end = time.time() + limit
    while time.time() < end:
        try:
            if pred():
                return True
        except Exception:
            pass
        time.sleep(poll)
    return False


def run_json(cmd, timeout=180):
    r = run(cmd, timeout=timeout)
    try:
        out = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    except ValueError:
        out = {}
    return r, out


class Net:
    """The chains, records and committee of the main job. `setup()` runs the set-up steps in the main job's order
    (each prints its step line); `start_relay(m)` starts member m ("a" or "b"). With anvil_state, every anvil keeps
    its chain in <work>/anvil-<id>.state (--state), so `restart_anvil` brings back the same chain on the same port."""

    def __init__(self, job, causeway, devnet, anvil, anvil_state=False):
        self.job, self.CW, self.devnet_bin, self.anvil_bin = job, causeway, devnet, anvil
        self.anvil_state = anvil_state
        self.work = job.work
        self.anvil = {}
        self.packets = []      # (label, packet id, (source url, endpoint, commitment) or None)
        self.ports = {"a": free_port(), "b": free_port()}
        self.relays = {}
        self.cfg_paths = {}

    # ---- set-up ---------------------------------------------------------------------------------------------
    def anvil_cmd(self, cid):
        a = self.anvil[cid]
        cmd = [self.anvil_bin, "--host", "127.0.0.1", "--port", str(a["port"]), "--chain-id", str(cid),
               "--block-time", "1", "--accounts", "4", "--silent", "--timestamp", str(a["timestamp"])]
        if self.anvil_state:
            cmd += ["--state", os.path.join(self.work, "anvil-%d.state" % cid), "--preserve-historical-states"]
        return cmd

    def start_chains(self):
        job = self.job
        for cid in (31337, 31338):
            port = free_port()
            # A distinct genesis timestamp per chain: anvil's genesis hash does not depend on the chain id, and the
            # relay refuses a second island with the same genesis (ERR_ISLAND_EXISTS).
            self.anvil[cid] = {"port": port, "timestamp": int(job.T0) - 3600 + cid - 31337}
            job.start("anvil-%d" % cid, self.anvil_cmd(cid))
            url = "http://127.0.0.1:%d" % port
            ok = wait_rpc(url, "eth_chainId") is not None
            job.must(ok, "anvil chain %d (1 s blocks)" % cid, "no answer on " + url)
            genesis = rpc(url, "eth_getBlockByNumber", ["0x0", False])["hash"]
            self.anvil[cid].update({"url": url, "island": "eip155:%d" % cid, "genesis": genesis})
            job.step("anvil chain %d (1 s blocks)" % cid, "ok", "%s genesis %s…" % (url, genesis[:18]))

    def stop_anvil(self, cid):
        """SIGTERM (anvil dumps its --state on exit); the exit status."""
        return self.job.stop("anvil-%d" % cid)

    def restart_anvil(self, cid):
        """Starts anvil `cid` again on its port from its --state file; True when it answers."""
        self.job.start("anvil-%d" % cid, self.anvil_cmd(cid))
        return wait_rpc(self.anvil[cid]["url"], "eth_chainId") is not None

    def setup(self, vectors="", bitcoin_step=True):
        """Every set-up step of the main job up to (not including) the relays."""
        job, CW, work = self.job, self.CW, self.work
        anvil = self.anvil
        self.start_chains()

        # ---- committee keys -----------------------------------------------------------------------------------
        keys = self.keys = os.path.join(work, "keys")
        os.makedirs(keys, exist_ok=True)
        os.chmod(keys, 0o700)
        members = self.members = []
        for m in ("a", "b"):
            r = run([CW, "committee", "address", "--key-file", os.path.join(keys, "member-%s.key" % m)])
            job.must(r.returncode == 0, "committee member %s key" % m, r.stderr.strip())
            members.append(r.stdout.strip())
        job.step("committee keys (2 of 2)", "ok", ", ".join(members))
        gov_key = self.gov_key = os.path.join(keys, "governance.key")
        write_key(gov_key, DEV_KEY0)

        # ---- devnet (4 validators; the committee and a genesis channel to eip155:31338) -----------------------
        genesis = {"chain_name": "devnet", "validators": {"count": 4, "power": 10},
                   "balances": {DEV_ADDR0: {"token": "1000000"}},
                   "committee": {"members": members, "k": 2}, "governance": DEV_ADDR0, "endpoint": "endpoint",
                   "channels": [{"channel_id": "channel-0", "port": "transfer", "counterparty_island": "eip155:31338",
                                 "counterparty_genesis": anvil[31338]["genesis"], "counterparty_channel": "channel-1",
                                 "counterparty_port": "transfer", "ordering": "unordered"}]}
        gpath = os.path.join(work, "devnet-genesis.json")
        json.dump(genesis, open(gpath, "w"), indent=2)
        dport = free_port()
        _, line = job.start("devnet", [self.devnet_bin, "--data-dir", os.path.join(work, "devnet"), "--genesis", gpath,
                                       "--listen", "127.0.0.1:%d" % dport, "--json", "--quiet", "--block-time", "500"],
                            ready=lambda l: l.startswith("{"))
        job.must(line is not None, "causeway-devnet (4 validators)", "did not start; see %s/devnet.log" % work)
        dev = self.dev = json.loads(line)
        dev_url = self.dev_url = dev["rpc_url"]
        g = rpc(dev_url, "devnet_genesis")
        block0 = rpc(dev_url, "devnet_getBlock", [0])
        job.step("causeway-devnet (4 validators)", "ok",
                 "%s %s committee k=%s" % (dev["island"], dev_url, g["committee"]["k"]))

        # ---- contracts ----------------------------------------------------------------------------------------
        for cid in (31337, 31338):
            r = run([CW, "island", "deploy-contracts", "--rpc", anvil[cid]["url"], "--key-file", gov_key,
                     "--committee", ",".join(members), "--k", "2", "--json"], timeout=180)
            out = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
            job.must(r.returncode == 0 and out.get("ok"), "contracts on eip155:%d" % cid,
                     (r.stderr or r.stdout).strip()[:300])
            anvil[cid]["endpoint"] = out["endpoint"]
            anvil[cid]["transfer_app"] = out["transfer_app"]
            job.step("contracts on eip155:%d" % cid, "ok",
                     "endpoint %s, transfer app %s" % (out["endpoint"], out["transfer_app"]))
        # The demo ERC-20 on 31337 (whole supply to the user, account 1) and its registration as an escrowable asset.
        user_key = self.user_key = os.path.join(keys, "user.key")
        write_key(user_key, DEV_KEY1)
        r, out = run_json([CW, "island", "deploy-token", "--rpc", anvil[31337]["url"], "--key-file", user_key,
                           "--supply", str(SUPPLY), "--json"])
        job.must(r.returncode == 0 and out.get("ok"), "ERC-20 on eip155:31337", (r.stderr or r.stdout).strip()[:300])
        token = self.token = out["token"].lower()
        r, out = run_json([CW, "island", "register-asset", "--rpc", anvil[31337]["url"], "--key-file", gov_key,
                           "--transfer-app", anvil[31337]["transfer_app"], "--token", token, "--json"])
        job.must(r.returncode == 0 and out.get("ok"), "ERC-20 on eip155:31337", (r.stderr or r.stdout).strip()[:300])
        job.must(erc20_balance(anvil[31337]["url"], token, DEV_ADDR1) == SUPPLY, "ERC-20 on eip155:31337",
                 "the owner does not hold the supply")
        job.step("ERC-20 on eip155:31337", "ok",
                 "%s, %d to %s, registered asset of the transfer app" % (token, SUPPLY, DEV_ADDR1))

        # ---- island records (governance-signed) ---------------------------------------------------------------
        def signed_island(rec, name):
            path = os.path.join(work, "island-%s.json" % name)
            json.dump(rec, open(path, "w"), indent=2)
            r = run([CW, "governance", "sign-island", "--record", path, "--key-file", gov_key])
            job.must(r.returncode == 0, "island record %s" % rec["id"], r.stderr.strip())
            return json.loads(r.stdout)

        gov = {"threshold": 1, "members": [DEV_ADDR0]}
        islands = self.islands = []
        for cid in (31337, 31338):
            head = rpc(anvil[cid]["url"], "eth_getBlockByNumber", ["latest", False])
            rec = {"id": anvil[cid]["island"], "genesis": anvil[cid]["genesis"], "family": "ethereum",
                   "codec": "rpc-trusted", "trusting_period_s": 14 * 24 * 3600,
                   "finality": {"kind": "rpc-trusted", "confirmations": 1},
                   "anchor": {"height": int(head["number"], 16), "hash": head["hash"],
                              "time_s": int(head["timestamp"], 16)},
                   "endpoint": anvil[cid]["endpoint"], "governance": gov}
            islands.append(signed_island(rec, str(cid)))
        vhash = block0.get("fields", {}).get("validators_hash") or block0.get("header_fields", {}).get("validators_hash")
        rec = {"id": dev["island"], "genesis": dev["genesis_hash"], "family": "bft", "codec": "causeway-devnet/v1",
               "trusting_period_s": 14 * 24 * 3600, "finality": {"kind": "bft-quorum"},
               "anchor": {"height": 0, "hash": block0["hash"], "time_s": max(1, g["genesis_time_ms"] // 1000),
                          "extra": vhash}, "endpoint": {"utf8": g["endpoint"]}, "governance": gov}
        islands.append(signed_island(rec, "devnet"))
        self.btc = None
        btc_run = os.path.join(vectors, "bitcoin", "summa-tx_bitcoin-spv", "headers.json") if vectors else ""
        if bitcoin_step and btc_run and os.path.isfile(btc_run):
            # Bitcoin mainnet, anchored at a real checkpoint: block 562621 of the vectors' real header run (its
            # hash in display order and its header time); sources only, so no channel and no adapter.
            run_v = json.load(open(btc_run))
            cp = run_v["genesis"]
            rec = {"id": BTC_ISLAND, "genesis": BTC_GENESIS, "family": "bitcoin", "codec": "bitcoin-mainnet",
                   "trusting_period_s": 0, "finality": {"kind": "confirmations", "confirmations": 6},
                   "anchor": {"height": cp["height"], "hash": cp["digest"], "time_s": cp["timestamp"]},
                   "endpoint": "0x0014" + "11" * 20, "governance": gov}
            islands.append(signed_island(rec, "bitcoin"))
            self.btc = {"run": run_v, "checkpoint": cp["height"]}
        job.step("island records (%d, governance-signed)" % len(islands), "ok", ", ".join(i["id"] for i in islands))
        if bitcoin_step and self.btc is None:
            job.step("Bitcoin mainnet island", "WAITS",
                     "no vectors folder (--vectors): no real mainnet headers to anchor and feed the island with")

        # ---- channel records: 31337 channel-0 <-> 31338 channel-0, 31338 channel-1 <-> devnet channel-0 ----------
        def end(island, genesis_of, channel, endpoint, cp_island, cp_channel, cp_endpoint):
            return {"island": island, "channel": channel, "port": "transfer", "endpoint": endpoint,
                    "counterparty_island": cp_island, "counterparty_genesis": genesis_of[cp_island],
                    "counterparty_channel": cp_channel, "counterparty_port": "transfer",
                    "counterparty_endpoint": cp_endpoint, "ordering": "unordered", "open_height": 0, "nonce": 1}

        genesis_of = {anvil[31337]["island"]: anvil[31337]["genesis"], anvil[31338]["island"]: anvil[31338]["genesis"],
                      dev["island"]: dev["genesis_hash"]}
        dev_endpoint = {"utf8": g["endpoint"]}
        pairs = [(end(anvil[31337]["island"], genesis_of, "channel-0", anvil[31337]["endpoint"], anvil[31338]["island"],
                      "channel-0", anvil[31338]["endpoint"]),
                  end(anvil[31338]["island"], genesis_of, "channel-0", anvil[31338]["endpoint"], anvil[31337]["island"],
                      "channel-0", anvil[31337]["endpoint"])),
                 (end(anvil[31338]["island"], genesis_of, "channel-1", anvil[31338]["endpoint"], dev["island"],
                      "channel-0", dev_endpoint),
                  end(dev["island"], genesis_of, "channel-0", dev_endpoint, anvil[31338]["island"], "channel-1",
                      anvil[31338]["endpoint"])),
                 # The timeout channel: the committee withholds deliveries to 31338/channel-2 ([adapters] withhold).
                 (end(anvil[31337]["island"], genesis_of, "channel-1", anvil[31337]["endpoint"], anvil[31338]["island"],
                      "channel-2", anvil[31338]["endpoint"]),
                  end(anvil[31338]["island"], genesis_of, "channel-2", anvil[31338]["endpoint"], anvil[31337]["island"],
                      "channel-1", anvil[31337]["endpoint"]))]
        # Governance nonces run per island: its registration is 1, each channel open the next one (ERR_GOVERNANCE_NONCE).
        next_nonce = {i["id"]: 2 for i in islands}
        for a, b in pairs:
            for e in (a, b):
                e["nonce"] = next_nonce[e["island"]]
                next_nonce[e["island"]] += 1
        channels = self.channels = []
        for i, (a, b) in enumerate(pairs):
            path = os.path.join(work, "channel-%d.json" % i)
            json.dump({"a": a, "b": b}, open(path, "w"), indent=2)
            r = run([CW, "governance", "sign-channel", "--record", path, "--key-file-a", gov_key, "--key-file-b", gov_key])
            job.must(r.returncode == 0, "channel records", r.stderr.strip())
            channels.append(json.loads(r.stdout))
        job.step("channel records (3 pairs, governance-signed)", "ok",
                 "31337/channel-0 <-> 31338/channel-0, 31338/channel-1 <-> %s/channel-0, 31337/channel-1 <-> "
                 "31338/channel-2" % dev["island"])
        # The same channels on the EVM endpoints (Endpoint.registerChannel, governance key); the devnet's channel-0
        # is in its genesis.
        opened = []
        for a, b in pairs:
            for e in (a, b):
                if not e["island"].startswith("eip155:"):
                    continue
                cid = int(e["island"].split(":")[1])
                r, out = run_json([CW, "island", "register-channel", "--rpc", anvil[cid]["url"], "--key-file", gov_key,
                                   "--endpoint", anvil[cid]["endpoint"], "--channel", e["channel"],
                                   "--counterparty-island", e["counterparty_island"],
                                   "--counterparty-genesis", e["counterparty_genesis"],
                                   "--counterparty-channel", e["counterparty_channel"], "--json"])
                job.must(r.returncode == 0 and out.get("ok"), "channels registered on the EVM endpoints",
                         "%s/%s: %s" % (e["island"], e["channel"], (r.stderr or r.stdout).strip()[:300]))
                opened.append("%s/%s" % (cid, e["channel"]))
        job.step("channels registered on the EVM endpoints", "ok", ", ".join(opened))

        # ---- the relays' submitter accounts -------------------------------------------------------------------
        # Each relay submits with its own key (own nonces) on every chain; the EVM accounts are funded by account 2.
        submitters = self.submitters = {}
        for m in ("a", "b"):
            path = os.path.join(keys, "submitter-%s.key" % m)
            r = run([CW, "committee", "address", "--key-file", path])  # creates the key file (0600), prints its address
            job.must(r.returncode == 0, "relay submitter accounts", r.stderr.strip())
            submitters[m] = (path, r.stdout.strip())
            for cid in (31337, 31338):
                rpc(anvil[cid]["url"], "eth_sendTransaction",
                    [{"from": DEV_ADDR2, "to": submitters[m][1], "value": hex(100 * 10 ** 18)}])
        for cid in (31337, 31338):
            job.must(wait_until(lambda: all(int(rpc(anvil[cid]["url"], "eth_getBalance", [submitters[m][1], "latest"]),
                                                16) == 100 * 10 ** 18 for m in ("a", "b")), 20),
                     "relay submitter accounts", "funding on eip155:%d not mined" % cid)
        job.step("relay submitter accounts", "ok", "a %s, b %s (100 ETH each on 31337 and 31338)" %
                 (submitters["a"][1], submitters["b"][1]))
        self.WITHHELD = anvil[31338]["island"] + "/channel-2"
        self.trace38 = "transfer/channel-0/" + token              # the voucher of the token on 31338 (channel-0)
        self.trace_dev = "transfer/channel-0/" + self.trace38     # its voucher on the devnet (devnet channel-0)

    # ---- the relays -----------------------------------------------------------------------------------------
    def write_relay_config(self, m, rpc_urls=None, withhold=None):
        """Writes <work>/relay-<m>.json: member m of the 2-of-2 committee, its peer the other member. rpc_urls:
        {chain id: [urls]} replacing an anvil's URL in [adapters] (the main job: each anvil's own URL)."""
        other = "b" if m == "a" else "a"
        rpc_urls = rpc_urls or {}
        anvil = self.anvil
        cfg = {"committee": {"threshold": 2, "members": self.members,
                             "key_file": os.path.join(self.keys, "member-%s.key" % m),
                             "peers": ["http://127.0.0.1:%d" % self.ports[other]]},
               "islands": self.islands, "channels": self.channels,
               "assets": [{"island": anvil[31337]["island"], "denom": self.token}],
               "adapters": {"poll_ms": 100, "withhold": [self.WITHHELD] if withhold is None else withhold,
                            "islands": [{"island": anvil[cid]["island"], "kind": "evm",
                                         "rpc": rpc_urls.get(cid, [anvil[cid]["url"]]),
                                         # new heads pushed over anvil's WebSocket (same port), unless the
                                         # test puts a proxy in front of the node
                                         "ws": "" if cid in rpc_urls else anvil[cid]["url"].replace("http://", "ws://"),
                                         "submitter_key_file": self.submitters[m][0], "confirmations": 1}
                                        for cid in (31337, 31338)] +
                                       [{"island": self.dev["island"], "kind": "devnet", "rpc": [self.dev_url],
                                         "submitter_key_file": self.submitters[m][0], "confirmations": 0}]}}
        cpath = os.path.join(self.work, "relay-%s.json" % m)
        json.dump(cfg, open(cpath, "w"), indent=2)
        self.cfg_paths[m] = cpath
        return cpath

    def start_relay(self, m, step_name=None, **config):
        """Starts `causeway serve` for member m on its port and data dir (a restart reuses both); writes its config
        first unless one was written and no config arguments are given. Returns the ready line."""
        if config or m not in self.cfg_paths:
            self.write_relay_config(m, **config)
        data = os.path.join(self.work, "relay-%s" % m)
        name = step_name or "relay %s (causeway serve)" % m
        _, line = self.job.start("relay-%s" % m, [self.CW, "serve", "--listen", "127.0.0.1:%d" % self.ports[m],
                                                  "--data-dir", data, "--config", self.cfg_paths[m]],
                                 ready=lambda l: "listening on" in l)
        self.job.must(line is not None, name, "did not start; see %s/relay-%s.log" % (self.work, m))
        self.relays[m] = {"port": self.ports[m], "data": data}
        return line

    def feed_bitcoin_headers(self, m):
        """Pushes the vectors' 18 real mainnet headers after the checkpoint to relay m in two header documents
        (`causeway island push-headers`), then a header that does not link to the tip. Returns (tip answer,
        refusal answer): the CLI's JSON."""
        v, work = self.btc["run"], self.work

        def doc(anchor, headers, name):
            path = os.path.join(work, "btc-headers-%s-%s.json" % (m, name))
            json.dump({"version": 1, "family": "bitcoin", "network": "mainnet", "island": BTC_ISLAND,
                       "anchor": {"height": anchor["height"], "header": "0x" + anchor["hex"].removeprefix("0x")},
                       "headers": ["0x" + h.removeprefix("0x") for h in headers]}, open(path, "w"))
            return path

        url = "http://127.0.0.1:%d" % self.ports[m]
        chain = v["chain"]
        tip = None
        for name, anchor, part in (("1", v["genesis"], chain[:9]), ("2", chain[8], chain[9:])):
            r, tip = run_json([self.CW, "island", "push-headers", BTC_ISLAND, "--file",
                               doc(anchor, [h["hex"] for h in part], name), "--url", url, "--json"])
            self.job.must(r.returncode == 0 and tip.get("headers") == len(part), "Bitcoin mainnet island",
                          "relay %s refused headers: %s" % (m, (r.stdout or r.stderr).strip()[:300]))
        r, refused = run_json([self.CW, "island", "push-headers", BTC_ISLAND, "--file",
                               doc(chain[-1], [v["badHeader"]["hex"]], "bad"), "--url", url, "--json"])
        self.job.must(r.returncode == 1, "Bitcoin mainnet island",
                      "relay %s accepted a header that does not link: %s" % (m, r.stdout.strip()[:300]))
        return tip, refused

    def start_committee(self):
        """Both members, then the committee route check (the main job's steps)."""
        for m in ("a", "b"):
            line = self.start_relay(m)
            self.job.step("relay %s (causeway serve)" % m, "ok", line.strip().replace("causeway serve: ", ""))
        anvil = self.anvil
        st, body = http_get(self.ports["a"], "/v1/attestations/%s/%s/channel-0/1" %
                            (anvil[31337]["island"], anvil[31337]["genesis"]))
        self.job.must(st == 404, "committee route GET /v1/attestations",
                      "expected 404 before any packet, got %d %s" % (st, body[:200]))
        self.job.step("committee route GET /v1/attestations", "ok", "answers (404 before any packet)")

    # ---- balances, packets, transfers -----------------------------------------------------------------------
    def balances(self):
        e37, e38, U = self.anvil[31337], self.anvil[31338], DEV_ADDR1
        v38 = voucher_for(e38["url"], e38["transfer_app"], self.trace38)
        zero = v38 == ZERO_ADDR
        return {"31337 user": erc20_balance(e37["url"], self.token, U),
                "31337 escrow": erc20_balance(e37["url"], self.token, e37["transfer_app"]),
                "31338 user voucher": 0 if zero else erc20_balance(e38["url"], v38, U),
                "31338 escrow voucher": 0 if zero else erc20_balance(e38["url"], v38, e38["transfer_app"]),
                "devnet user voucher": int(rpc(self.dev_url, "devnet_getBalance", [U, self.trace_dev])),
                "devnet escrow": int(rpc(self.dev_url, "devnet_getBalance", ["escrow:channel-0", self.trace38]))}

    @staticmethod
    def show(label, b):
        print("    %-34s %s" % (label, ", ".join("%s %d" % kv for kv in b.items())), flush=True)

    def packet(self, pid, m="a"):
        """GET /v1/packets/{id} of relay m (the JSON), or {"stage": "unknown to relay m (HTTP n)"}."""
        try:
            st, body = http_get(self.ports[m], "/v1/packets/" + urllib.parse.quote(pid, safe="/:"))
        except OSError as e:
            return {"stage": "relay %s does not answer (%s)" % (m, e)}
        return json.loads(body) if st == 200 else {"stage": "unknown to relay %s (HTTP %d)" % (m, st)}

    def relay_logs_tail(self, n=3):
        out = []
        for m in ("a", "b"):
            try:
                lines = [l.strip() for l in open(os.path.join(self.work, "relay-%s.log" % m)) if "ERR_" in l]
                out += ["relay %s: %s" % (m, l[:200]) for l in lines[-n:]]
            except OSError:
                pass
        return out

    def expect(self, name, want, limit=90):
        """Waits until every listed balance is exact; FAILED with the mismatch (and the packet's stage) if not."""
        got = {}

        def ok():
            got.update(self.balances())
            return all(got[k] == v for k, v in want.items())
        if not wait_until(ok, limit, 0.5):
            bad = ", ".join("%s %d (want %d)" % (k, got.get(k, -1), v) for k, v in want.items() if got.get(k) != v)
            stage = self.packet(self.packets[-1][1]).get("stage") if self.packets else "?"
            self.job.must(False, name, "after %d s: %s; packet stage %s; %s" %
                          (limit, bad, stage, " | ".join(self.relay_logs_tail())))
        return got

    def evm_send(self, name, cid, channel, tok, amount, receiver, extra=()):
        e = self.anvil[cid]
        r, out = run_json([self.CW, "transfer", "send", "--rpc", e["url"], "--key-file", self.user_key,
                           "--transfer-app", e["transfer_app"], "--token", tok, "--channel", channel, "--amount",
                           str(amount), "--receiver", receiver, "--memo", "mainjob", "--json"] + list(extra))
        self.job.must(r.returncode == 0 and out.get("ok"), name, (r.stderr or r.stdout).strip()[:300])
        self.packets.append((name.split(" ")[0], out["packet_id"], (e["url"], e["endpoint"], out["commitment"])))
        return out

    def devnet_send(self, name, channel, denom, amount, receiver):
        seq_before = len(self.listed(self.dev["island"] + "/" + channel))
        r = run([self.devnet_bin, "tx", "send-transfer", "--rpc", self.dev_url, "--key", "0x" + DEV_KEY1, "--channel",
                 channel, "--denom", denom, "--amount", str(amount), "--receiver", receiver, "--memo", "mainjob",
                 "--wait"], timeout=90)
        self.job.must(r.returncode == 0, name, (r.stderr or r.stdout).strip()[:300])
        pid = "%s/%s/%s/%d" % (self.dev["island"], self.dev["genesis_hash"], channel, seq_before + 1)
        self.packets.append((name.split(" ")[0], pid, None))

    def listed(self, chan, m="a"):
        st, body = http_get(self.ports[m], "/v1/packets?channel=" + urllib.parse.quote(chan, safe=":") + "&limit=500")
        return json.loads(body).get("packets", []) if st == 200 else []

    def settled(self, p):
        """A packet (an entry of self.packets) is acknowledged at its source."""
        if p[2] is not None:
            url, endpoint, commitment = p[2]
            return sent_status(url, endpoint, commitment) == 2
        return self.packet(p[1]).get("stage") == "acknowledged"

    def audit_verify(self, m, timeout=120):
        """`causeway audit verify --url` against running relay m: (exit status, last line, stderr/stdout)."""
        r = run([self.CW, "audit", "verify", "--url", "http://127.0.0.1:%d" % self.ports[m]], timeout=timeout)
        last = (r.stdout.strip().splitlines() or [""])[-1]
        return r.returncode, last, (r.stderr or r.stdout).strip()[:300]
