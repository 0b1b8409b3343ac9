#!/usr/bin/env python3
"""Issue #7 end-to-end: one committee member alone cannot deliver (2-of-2 committee; PACKET.md "Attestations", A05).

The main job's set-up (deploy/lib/chains.py), then ONLY relay a of the 2-of-2 committee runs (b never started;
a's peer URL points at b's unused port). A transfer of 1000 from 31337 to 31338:
  1. a proves it and signs its own attestation, but with one signature of the k=2 it never delivers: for 10 s
     (10 blocks of 31338) the packet stays `proven` on a with a's attestation only, 1000 stays escrowed on 31337,
     no voucher exists on 31338 and the source endpoint's sentStatus stays 1 (pending);
  2. b starts (same records, its own data dir): the packet is delivered exactly once — the user holds exactly 1000
     vouchers minted by exactly one mint, the source endpoint's sentStatus is 2 (acknowledged), both relays say
     `acknowledged`, nothing changes 3 s later, and `causeway audit verify --url` verifies both relays.
Usage: committee_alone_test.py --causeway BIN --devnet BIN --anvil BIN [--work DIR] [--keep]
"""
import os, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_common import Test, chains  # noqa: E402
from chains import DEV_ADDR1, SUPPLY, ZERO_ADDR, sent_status, voucher_for, wait_until  # noqa: E402


def body(t, net):
    e37, e38 = net.anvil[31337], net.anvil[31338]
    line = net.start_relay("a")
    t.check(True, "relay a alone (b not started)", line.strip().replace("causeway serve: ", ""))

    name = "1. transfer 31337 -> 31338 with one member of 2"
    out = net.evm_send(name, 31337, "channel-0", net.token, 1000, DEV_ADDR1)
    pid = out["packet_id"]
    t.must(wait_until(lambda: net.packet(pid).get("stage") == "proven", 30, 0.25), name,
           "relay a never reached `proven`: %s" % net.packet(pid).get("stage"))
    tip0 = int(chains.rpc(e38["url"], "eth_blockNumber"), 16)
    time.sleep(10)
    tip1 = int(chains.rpc(e38["url"], "eth_blockNumber"), 16)
    b = net.balances()
    stage = net.packet(pid).get("stage")
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    t.check(stage == "proven", "1a. alone: the packet stays `proven` on relay a",
            "stage %s after 10 s (31338 went %d -> %d)" % (stage, tip0, tip1))
    t.check(tip1 - tip0 >= 5, "1b. the destination kept producing blocks", "31338 %d -> %d" % (tip0, tip1))
    t.check(b["31337 user"] == SUPPLY - 1000 and b["31337 escrow"] == 1000 and b["31338 user voucher"] == 0
            and v38 == ZERO_ADDR, "1c. alone: escrowed on 31337, nothing on 31338",
            "31337 user %d escrow %d, 31338 voucher contract %s user voucher %d"
            % (b["31337 user"], b["31337 escrow"], v38, b["31338 user voucher"]))
    signers = sorted(a["member"].lower() for a in net.packet(pid).get("attestations", []))
    t.check(signers == [net.members[0].lower()], "1d. alone: relay a holds its own attestation only",
            "signers %s (want [%s])" % (signers, net.members[0]))
    st = sent_status(e37["url"], e37["endpoint"], out["commitment"])
    t.check(st == 1, "1e. alone: the source endpoint still has the packet pending", "sentStatus %d (want 1)" % st)
    fails = t.log_lines("a", "ERR_")
    print("    relay a ERR_ lines while alone: %d%s" % (len(fails), (" (last: %s)" % fails[-1][:160]) if fails else ""))

    # 2. The second member joins: delivered exactly once.
    t0 = time.time()
    line = net.start_relay("b")
    t.check(True, "relay b started", line.strip().replace("causeway serve: ", ""))
    name = "2. with both members: delivered exactly once"
    net.expect(name, {"31337 user": SUPPLY - 1000, "31337 escrow": 1000, "31338 user voucher": 1000}, limit=60)
    t.check(True, name, "voucher 1000 minted %.1f s after b started" % (time.time() - t0))
    acked = wait_until(lambda: sent_status(e37["url"], e37["endpoint"], out["commitment"]) == 2, 60, 0.5)
    t.check(acked, "2a. acknowledged at the source (sentStatus 2)",
            "sentStatus %d after %.1f s" % (sent_status(e37["url"], e37["endpoint"], out["commitment"]), time.time() - t0))
    time.sleep(3)  # a second delivery would show here
    b = net.balances()
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    mints = t.transfer_mints(net, v38)
    t.check(b == {"31337 user": SUPPLY - 1000, "31337 escrow": 1000, "31338 user voucher": 1000,
                  "31338 escrow voucher": 0, "devnet user voucher": 0, "devnet escrow": 0},
            "2b. exact balances 3 s later", repr(b))
    t.check(mints == [(DEV_ADDR1, 1000)], "2c. exactly one voucher mint", repr(mints))
    stages = {m: net.packet(pid, m).get("stage") for m in ("a", "b")}
    t.check(stages == {"a": "acknowledged", "b": "acknowledged"}, "2d. both relays: acknowledged", repr(stages))
    signers = {m: sorted(a["member"].lower() for a in net.packet(pid, m).get("attestations", [])) for m in ("a", "b")}
    both = sorted(x.lower() for x in net.members)
    t.check(signers == {"a": both, "b": both}, "2e. both relays hold both members' attestations", repr(signers))
    for m in ("a", "b"):
        code, last, detail = net.audit_verify(m)
        t.check(code == 0 and last.startswith("audit: verified "), "relay %s audit verify --url" % m,
                last if code == 0 else detail)


Test("one committee member alone cannot deliver").run(body)
