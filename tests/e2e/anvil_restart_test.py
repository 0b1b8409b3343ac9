#!/usr/bin/env python3
"""Issue #7 end-to-end: an anvil node stopped and restarted → the adapter reconnects and rescans from its last
processed height (A23).

anvil 1.7 keeps its chain across a restart with `--state FILE --preserve-historical-states` (dumped on SIGTERM,
loaded at start: same genesis, same block hashes, receipts and storage; the chain goes on from its last block), so
the chains here are real anvil restarts on the same port. The relays reach 31337 through a TCP proxy in this test
(their [adapters] URL is the proxy's) so that the relays alone can also be cut off while the chain goes on.
The main job's set-up (deploy/lib/chains.py), its 2-of-2 committee, then:
  1. the DESTINATION anvil (31338) is stopped; a transfer of 100 is sent 31337 -> 31338; for 5 s nothing can be
     delivered (the packet is not `delivered` on a); 31338 is restarted from its state (same genesis hash, the
     chain no shorter) → the voucher is minted exactly once (100) and the packet acknowledged;
  2. the SOURCE anvil (31337) is stopped for 5 s and restarted from its state (same genesis hash); a transfer of
     200 sent right after → delivered (the user holds 300) and acknowledged;
  3. the relays are cut off from 31337 (the proxy stops: connections refused) while 31337 goes on; a transfer of
     300 is sent to 31337 directly and 4 more blocks pass; the relays do not know the packet (HTTP 404 on both);
     the proxy comes back → the relays rescan from their last processed height, find the packet in the blocks
     they missed and deliver it: the user holds exactly 600 vouchers from exactly three mints (100, 200, 300),
     every packet acknowledged, `causeway audit verify --url` verifies both relays.
Usage: anvil_restart_test.py --causeway BIN --devnet BIN --anvil BIN [--work DIR] [--keep]
"""
import os, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_common import TcpProxy, Test  # noqa: E402
from chains import DEV_ADDR1, SUPPLY, rpc, sent_status, voucher_for, wait_until  # noqa: E402


def body(t, net):
    e37, e38 = net.anvil[31337], net.anvil[31338]
    proxy = TcpProxy(e37["port"]).start()
    t.threads.append(proxy)
    net.write_relay_config("a", rpc_urls={31337: [proxy.url]})
    net.write_relay_config("b", rpc_urls={31337: [proxy.url]})
    net.start_committee()
    sent = []

    def acked(o):
        return sent_status(e37["url"], e37["endpoint"], o["commitment"]) == 2

    def tip(cid):
        return int(rpc(net.anvil[cid]["url"], "eth_blockNumber"), 16)

    def genesis(cid):
        return rpc(net.anvil[cid]["url"], "eth_getBlockByNumber", ["0x0", False])["hash"]

    # 1. The destination anvil stopped and restarted.
    n1 = "1. destination anvil 31338 restarted"
    h38 = tip(31338)
    code = net.stop_anvil(31338)
    t.must(code == 0, n1, "anvil 31338 exit status %s on SIGTERM" % code)
    o = net.evm_send("transfer 1 (100)", 31337, "channel-0", net.token, 100, DEV_ADDR1)
    sent.append(o)
    time.sleep(5)
    stage = net.packet(o["packet_id"]).get("stage")
    t.check(stage in ("observed", "proven", "attested"), "1a. 31338 down: the packet waits (not delivered)",
            "stage %s after 5 s" % stage)
    t.must(net.restart_anvil(31338), n1, "anvil 31338 did not come back on %s" % e38["url"])
    g, h = genesis(31338), tip(31338)
    t.check(g == e38["genesis"] and h >= h38, "1b. 31338 restarted from its state: same chain",
            "genesis %s… (want %s…), height %d (was %d before the stop)" % (g[:18], e38["genesis"][:18], h, h38))
    t0 = time.time()
    net.expect(n1, {"31337 escrow": 100, "31338 user voucher": 100}, limit=60)
    t.check(wait_until(lambda: acked(o), 60, 0.5), "1c. delivered after the restart and acknowledged",
            "voucher 100 %.1f s after the restart; sentStatus %d" %
            (time.time() - t0, sent_status(e37["url"], e37["endpoint"], o["commitment"])))

    # 2. The source anvil stopped and restarted.
    n2 = "2. source anvil 31337 restarted"
    h37 = tip(31337)
    code = net.stop_anvil(31337)
    t.must(code == 0, n2, "anvil 31337 exit status %s on SIGTERM" % code)
    time.sleep(5)
    t.must(net.restart_anvil(31337), n2, "anvil 31337 did not come back on %s" % e37["url"])
    g, h = genesis(31337), tip(31337)
    t.check(g == e37["genesis"] and h >= h37, "2a. 31337 restarted from its state: same chain",
            "genesis %s… (want %s…), height %d (was %d before the stop)" % (g[:18], e37["genesis"][:18], h, h37))
    t0 = time.time()
    o = net.evm_send("transfer 2 (200)", 31337, "channel-0", net.token, 200, DEV_ADDR1)
    sent.append(o)
    net.expect(n2, {"31337 escrow": 300, "31338 user voucher": 300}, limit=60)
    t.check(wait_until(lambda: acked(o), 60, 0.5), "2b. a transfer after the restart delivered and acknowledged",
            "voucher 300 %.1f s after sending; sentStatus %d" %
            (time.time() - t0, sent_status(e37["url"], e37["endpoint"], o["commitment"])))

    # 3. The relays cut off from 31337 while it goes on; the packet is in blocks they never saw until they rescan.
    n3 = "3. relays cut off from 31337, then back (A23)"
    proxy.stop()
    o = net.evm_send("transfer 3 (300)", 31337, "channel-0", net.token, 300, DEV_ADDR1)
    sent.append(o)
    sent_at = o.get("block_number")
    h0 = tip(31337)
    wait_until(lambda: tip(31337) >= h0 + 4, 15, 0.25)
    stages = {m: net.packet(o["packet_id"], m).get("stage") for m in ("a", "b")}
    t.check(all(s.startswith("unknown") for s in stages.values()),
            "3a. cut off: neither relay knows the packet", "%r; 31337 went %d -> %d%s" %
            (stages, h0, tip(31337), "" if sent_at is None else ", the packet is in block %d" % sent_at))
    proxy.start()
    t0 = time.time()
    net.expect(n3, {"31337 user": SUPPLY - 600, "31337 escrow": 600, "31338 user voucher": 600}, limit=60)
    t.check(wait_until(lambda: all(acked(x) for x in sent), 60, 0.5), "3b. rescanned, delivered and acknowledged",
            "voucher 600 %.1f s after the relays got 31337 back; sentStatus %s" %
            (time.time() - t0, [sent_status(e37["url"], e37["endpoint"], x["commitment"]) for x in sent]))
    time.sleep(3)  # a second delivery would show here
    b = net.balances()
    t.check(b == {"31337 user": SUPPLY - 600, "31337 escrow": 600, "31338 user voucher": 600,
                  "31338 escrow voucher": 0, "devnet user voucher": 0, "devnet escrow": 0},
            "3c. exact balances 3 s later", repr(b))
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    mints = t.transfer_mints(net, v38)
    t.check(mints == [(DEV_ADDR1, 100), (DEV_ADDR1, 200), (DEV_ADDR1, 300)], "3d. exactly one mint per transfer",
            repr(mints))
    for m in ("a", "b"):
        stages = [net.packet(x["packet_id"], m).get("stage") for x in sent]
        t.check(stages == ["acknowledged"] * 3, "3e. relay %s: every packet acknowledged" % m, repr(stages))
    for m in ("a", "b"):
        code, last, detail = net.audit_verify(m)
        t.check(code == 0 and last.startswith("audit: verified "), "relay %s audit verify --url" % m,
                last if code == 0 else detail)


Test("an anvil node stopped and restarted: the adapter reconnects and rescans (A23)").run(body, anvil_state=True)
