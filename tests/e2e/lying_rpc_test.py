#!/usr/bin/env python3
"""Issue #7 end-to-end: a lying RPC endpoint → the packet is not accepted and the endpoint is demoted.

Each relay of the main job's 2-of-2 committee (deploy/lib/chains.py) reaches the source chain 31337 through its own
LyingRpc proxy (tests/e2e/faults_common.py): every request is forwarded to anvil, but in eth_getBlockReceipts and
eth_getTransactionReceipt answers one hex digit of the data of each endpoint `PacketSent` log is flipped — the
receipt no longer hashes to the block's receiptsRoot (adapters/ethereum: ERR_RPC_INCONSISTENT, the endpoint is
reported to its EndpointPool and demoted).
  1. [adapters] rpc of 31337 = [the liar] only. A transfer of 500 31337 -> 31338: both liars lie; for 8 s after the
     first lie neither relay accepts the packet (GET /v1/packets/{id}: 404 on both), no voucher exists on 31338,
     and each relay logs `ERR_RPC_INCONSISTENT` for the packet's block (the range is retried, not skipped);
  2. both relays restart on their data dirs with rpc = [the liar, anvil itself]: the liar (first in the list) is
     asked again for the same block and lies again; from that moment it receives NO further request (demoted: the
     pool only uses the honest endpoint), while the packet of step 1 — rescanned from the last processed height —
     is delivered from the honest endpoint's data (500 vouchers) and acknowledged;
  3. a second transfer of 250 completes too (750 vouchers from exactly two mints, both acknowledged) and the liars
     still receive no request; `causeway audit verify --url` verifies both relays.
Demotion is asserted twice: by the liar's request count, and by GET /metrics (causeway_rpc_endpoint_demoted and
causeway_rpc_endpoint_demotions_total per island, adapter role and URL).
Usage: lying_rpc_test.py --causeway BIN --devnet BIN --anvil BIN [--work DIR] [--keep]
"""
import os, signal, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_common import LyingRpc, Test  # noqa: E402
from chains import DEV_ADDR1, SUPPLY, ZERO_ADDR, http_get, sent_status, voucher_for, wait_until  # noqa: E402


def body(t, net):
    e37, e38 = net.anvil[31337], net.anvil[31338]
    liars = {m: LyingRpc(e37["url"]) for m in ("a", "b")}
    t.threads += list(liars.values())
    for m in ("a", "b"):
        net.write_relay_config(m, rpc_urls={31337: [liars[m].url]})
    net.start_committee()

    # 1. Only the liar: the packet is not accepted.
    n1 = "1. only a lying endpoint: the packet is not accepted"
    o1 = net.evm_send("transfer 1 (500)", 31337, "channel-0", net.token, 500, DEV_ADDR1)
    lied = wait_until(lambda: all(l.lies >= 1 for l in liars.values()), 30, 0.25)
    t.must(lied, n1, "the liars altered %r answers (the relays never asked for the packet's receipts)"
           % {m: l.lies for m, l in liars.items()})
    time.sleep(8)
    stages = {m: net.packet(o1["packet_id"], m).get("stage") for m in ("a", "b")}
    b = net.balances()
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    t.check(all(s.startswith("unknown") for s in stages.values()), "1a. neither relay accepted the packet",
            "%r after %r lies" % (stages, {m: l.lies for m, l in liars.items()}))
    t.check(b["31337 escrow"] == 500 and b["31338 user voucher"] == 0 and v38 == ZERO_ADDR,
            "1b. escrowed on 31337, nothing on 31338",
            "31337 escrow %d, 31338 voucher contract %s, user voucher %d" % (b["31337 escrow"], v38, b["31338 user voucher"]))
    for m in ("a", "b"):
        lines = [l for l in t.log_lines(m, "ERR_RPC_INCONSISTENT") if "eip155:31337/%d" % o1["block_number"] in l]
        t.check(len(lines) >= 1, "1c. relay %s logs the inconsistent receipts (will retry)" % m,
                lines[-1].strip()[:220] if lines else "no ERR_RPC_INCONSISTENT line for eip155:31337/%d in relay-%s.log"
                % (o1["block_number"], m))

    # 2. The liar plus an honest endpoint: the liar is demoted, the packet delivered from honest data.
    n2 = "2. liar + honest endpoint: delivered"
    for m in ("a", "b"):
        t.must(net.job.stop("relay-%s" % m, signal.SIGTERM) == 0, n2, "relay %s did not stop cleanly" % m)
    for m in ("a", "b"):
        liars[m].mark()
        lies_before = liars[m].lies
        liars[m].lies_at_mark = lies_before
        net.start_relay(m, rpc_urls={31337: [liars[m].url, e37["url"]]})
    t0 = time.time()
    net.expect(n2, {"31337 escrow": 500, "31338 user voucher": 500}, limit=60)
    t.check(wait_until(lambda: sent_status(e37["url"], e37["endpoint"], o1["commitment"]) == 2, 60, 0.5),
            n2, "500 vouchers %.1f s after the restart, acknowledged at the source" % (time.time() - t0))
    for m in ("a", "b"):
        l = liars[m]
        t.check(l.lies - l.lies_at_mark == 1 and l.after_lie == 0,
                "2a. relay %s: the liar lied once more, then was never asked again (demoted)" % m,
                "lies since the restart %d (want 1), requests after that lie %d (want 0)%s"
                % (l.lies - l.lies_at_mark, l.after_lie,
                   (": " + ", ".join(sorted(set(x or "?" for x in l.methods_after_lie)))) if l.after_lie else ""))

    # 3. A second transfer: only the honest endpoint serves it.
    n3 = "3. a second transfer with the liar demoted"
    t0 = time.time()
    o2 = net.evm_send("transfer 2 (250)", 31337, "channel-0", net.token, 250, DEV_ADDR1)
    net.expect(n3, {"31337 user": SUPPLY - 750, "31337 escrow": 750, "31338 user voucher": 750}, limit=60)
    t.check(wait_until(lambda: sent_status(e37["url"], e37["endpoint"], o2["commitment"]) == 2, 60, 0.5),
            n3, "750 vouchers %.1f s after sending, acknowledged at the source" % (time.time() - t0))
    time.sleep(3)  # a second delivery would show here
    b = net.balances()
    t.check(b == {"31337 user": SUPPLY - 750, "31337 escrow": 750, "31338 user voucher": 750,
                  "31338 escrow voucher": 0, "devnet user voucher": 0, "devnet escrow": 0},
            "3a. exact balances 3 s later", repr(b))
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    mints = t.transfer_mints(net, v38)
    t.check(mints == [(DEV_ADDR1, 500), (DEV_ADDR1, 250)], "3b. exactly one mint per transfer", repr(mints))
    for m in ("a", "b"):
        l = liars[m]
        t.check(l.after_lie == 0, "3c. relay %s: the demoted liar still receives no request" % m,
                "requests after its last lie %d (total %d, lies %d)" % (l.after_lie, l.requests, l.lies))
        stages = [net.packet(x["packet_id"], m).get("stage") for x in (o1, o2)]
        t.check(stages == ["acknowledged"] * 2, "3d. relay %s: both packets acknowledged" % m, repr(stages))
    # 3e. /metrics reports it: the liar of each relay demoted (watch role: the lifecycle read its receipts), the
    #     honest endpoint not.
    for m in ("a", "b"):
        st, text = http_get(net.ports[m], "/metrics")
        def series(name, url):
            for line in text.splitlines():
                if line.startswith(name + "{") and 'island="eip155:31337"' in line and 'role="watch"' in line \
                        and ('url="%s"' % url) in line:
                    return float(line.rsplit(" ", 1)[1])
            return None
        got = (series("causeway_rpc_endpoint_demoted", liars[m].url),
               series("causeway_rpc_endpoint_demotions_total", liars[m].url),
               series("causeway_rpc_endpoint_demoted", e37["url"]))
        t.check(st == 200 and got[0] == 1 and got[1] is not None and got[1] >= 1 and got[2] == 0,
                "3e. relay %s /metrics: the liar demoted, the honest endpoint not" % m,
                "demoted %r, demotions_total %r, honest demoted %r" % got)
    for m in ("a", "b"):
        code, last, detail = net.audit_verify(m)
        t.check(code == 0 and last.startswith("audit: verified "), "relay %s audit verify --url" % m,
                last if code == 0 else detail)


Test("a lying RPC endpoint: the packet is not accepted and the endpoint is demoted").run(body)
