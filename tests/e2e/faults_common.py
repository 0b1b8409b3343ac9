"""Shared harness of the fault-injection end-to-end tests (issue #7 "End-to-end tests"): argument parsing, the main
job's set-up (deploy/lib/chains.py: two anvils, the devnet, contracts, signed records, submitter accounts), exact
checks that print one line each, and two small proxies a test puts between a relay and an anvil:
  TcpProxy  — forwards bytes; stop() closes the port and every open connection, start() listens again (same port);
  LyingRpc  — an HTTP JSON-RPC proxy that forwards to anvil and, in eth_getBlockReceipts / eth_getTransactionReceipt
              answers, flips one hex digit of the data of every endpoint `PacketSent` log (a receipt that no longer
              hashes to the block's receiptsRoot).
Every process is started through chains.Job and stopped by its pid, whatever happens. Python 3 stdlib only.
"""
import argparse, http.client, http.server, json, os, shutil, socket, sys, tempfile, threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "lib"))
import chains  # noqa: E402
import evm_abi  # noqa: E402
from chains import Failed, Job, Net  # noqa: E402

PACKET_SENT_TOPIC = "0x" + evm_abi.keccak256(b"PacketSent(bytes32,uint64,bytes)").hex()
TRANSFER_TOPIC = "0x" + evm_abi.keccak256(b"Transfer(address,address,uint256)").hex()


class Test:
    """One test run: `Test(title).run(body, anvil_state=…)` parses --causeway/--devnet/--anvil[/--work/--keep],
    sets up the chains, calls body(t) and exits 0 only when every check passed and nothing is left running."""

    def __init__(self, title):
        ap = argparse.ArgumentParser(description=title)
        ap.add_argument("--causeway", required=True)
        ap.add_argument("--devnet", required=True)
        ap.add_argument("--anvil", required=True)
        ap.add_argument("--work", default="")
        ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, data dirs)")
        self.args = ap.parse_args()
        self.title = title
        self.work = self.args.work or tempfile.mkdtemp(prefix="causeway-e2e-")
        os.makedirs(self.work, exist_ok=True)
        self.job = Job(self.work)
        self.failures = []
        self.threads = []   # proxies to stop

    def check(self, cond, name, detail=""):
        """An exact assertion: one `ok` / `FAILED` line; a failure is recorded and the test goes on."""
        self.job.step(name, "ok" if cond else "FAILED", detail)
        if not cond:
            self.failures.append(name)
        return cond

    def must(self, cond, name, detail=""):
        """An assertion the rest of the test depends on: a failure ends the test."""
        if not cond:
            self.failures.append(name)
        self.job.must(cond, name, detail)

    def log_lines(self, m, needle):
        try:
            return [l.rstrip("\n") for l in open(os.path.join(self.work, "relay-%s.log" % m)) if needle in l]
        except OSError:
            return []

    def transfer_mints(self, net, token):
        """(to, amount) of every ERC-20 Transfer from the zero address (a mint) of `token` on 31338, in chain order."""
        logs = chains.rpc(net.anvil[31338]["url"], "eth_getLogs",
                          [{"fromBlock": "0x0", "toBlock": "latest", "address": token,
                            "topics": [TRANSFER_TOPIC, "0x" + "0" * 64]}])
        return [("0x" + l["topics"][2][-40:], int(l["data"], 16)) for l in logs]

    def run(self, body, anvil_state=False):
        print("== %s (work dir %s)" % (self.title, self.work), flush=True)
        a = self.args
        rc = 0
        try:
            net = Net(self.job, a.causeway, a.devnet, a.anvil, anvil_state=anvil_state)
            net.setup(bitcoin_step=False)
            body(self, net)
        except Failed:
            rc = 1
        except Exception as e:  # an unexpected error is a failed check too
            self.job.step("unexpected error", "FAILED", repr(e)[:300])
            rc = 1
        finally:
            for p in self.threads:
                p.stop()
            self.job.stop_all()
            left = self.job.still_running()
            if left:
                print("  could not stop: %s" % left, flush=True)
                rc = 1
        if self.failures:
            rc = 1
        print()
        print("%s: %d checks ok, %d failed; %.1f s" % (self.title, sum(1 for r in self.job.results if r[1] == "ok"),
                                                      sum(1 for r in self.job.results if r[1] == "FAILED"),
                                                      time.time() - self.job.T0), flush=True)
        if rc == 0 and not a.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        elif rc != 0:
            print("logs and data dirs kept in %s" % self.work, flush=True)
        sys.exit(rc)


class TcpProxy:
    """127.0.0.1:<port> → target host:port, byte for byte. stop() closes the listening socket and every open
    connection (the relay sees connection refused/reset); start() listens again on the same port."""

    def __init__(self, target_port, port=None):
        self.target = ("127.0.0.1", target_port)
        self.port = port or chains.free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.lsock = None
        self.conns = []
        self.mu = threading.Lock()
        self.accepted = 0

    def start(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.lsock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()
        return self

    def _accept(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(self.target, timeout=5)
            except OSError:
                c.close()
                continue
            with self.mu:
                self.accepted += 1
                self.conns += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        if self.lsock is not None:
            try:
                self.lsock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.lsock.close()
            self.lsock = None
        with self.mu:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self.conns = []


class LyingRpc:
    """An HTTP JSON-RPC proxy in front of `target_url` that alters receipts: in every eth_getBlockReceipts /
    eth_getTransactionReceipt answer, one hex digit of the data of each endpoint `PacketSent` log is flipped.
    Counts every request (`requests`), the answers it altered (`lies`) and the requests that came after its
    first lie since the last mark() (`after_lie`)."""

    def __init__(self, target_url):
        self.target = target_url
        self.requests = 0
        self.lies = 0
        self.after_lie = 0
        self.methods_after_lie = []
        self.lied_since_mark = False
        self.mu = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                out = outer.answer(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def mark(self):
        with self.mu:
            self.lied_since_mark = False
            self.after_lie = 0
            self.methods_after_lie = []

    def _forward(self, body):
        u = urllib.parse.urlparse(self.target)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            c.request("POST", "/", body, {"Content-Type": "application/json"})
            return c.getresponse().read()
        finally:
            c.close()

    @staticmethod
    def _alter(receipt):
        n = 0
        for log in (receipt or {}).get("logs") or []:
            if log.get("topics") and log["topics"][0].lower() == PACKET_SENT_TOPIC and len(log.get("data", "")) > 2:
                d = log["data"]
                i = min(len(d) - 1, 2 + 128 + 10)  # inside the packet bytes (after the ABI offset and length words)
                log["data"] = d[:i] + ("0" if d[i] != "0" else "1") + d[i + 1:]
                n += 1
        return n

    def answer(self, body):
        raw = self._forward(body)
        try:
            req, resp = json.loads(body), json.loads(raw)
        except ValueError:
            return raw
        batch = isinstance(req, list)
        reqs, resps = (req, resp) if batch else ([req], [resp])
        by_id = {r.get("id"): r for r in resps if isinstance(r, dict)}
        altered = 0
        with self.mu:
            for q in reqs:
                self.requests += 1
                if self.lied_since_mark:
                    self.after_lie += 1
                    self.methods_after_lie.append(q.get("method"))
        for q in reqs:
            r = by_id.get(q.get("id"))
            if r is None or not isinstance(r.get("result"), (dict, list)):
                continue
            if q.get("method") == "eth_getBlockReceipts":
                altered += sum(self._alter(x) for x in r["result"])
            elif q.get("method") == "eth_getTransactionReceipt":
                altered += self._alter(r["result"])
        if not altered:
            return raw
        with self.mu:
            self.lies += 1
            self.lied_since_mark = True
        return json.dumps(resps if batch else resps[0]).encode()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
