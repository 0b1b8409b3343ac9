#!/usr/bin/env python3
"""Issue #7 end-to-end: a relay SIGKILLed mid-flight and restarted → every transfer completes exactly once.

The main job's set-up (deploy/lib/chains.py) and its 2-of-2 committee. Five transfers 31337 -> 31338 of
101, 102, 103, 104 and 105 (distinct amounts, so every mint is identified):
  1. transfers 1 and 2 are sent; as soon as relay a holds packet 2 (any stage before `delivered`) relay a is
     SIGKILLed (exit status -9: no clean shutdown, whatever was in flight is cut);
  2. transfers 3, 4, 5 are sent while a is dead: with one member of 2 none of them may be delivered (the user's
     voucher balance is the sum of a subset of {101, 102} only);
  3. relay a is restarted on the same data dir and port: every transfer completes exactly once — the user holds
     exactly 515 vouchers from exactly five mints (101…105, one each), 515 stays escrowed on 31337, every packet is
     acknowledged at the source (sentStatus 2) and `acknowledged` on both relays, nothing changes 3 s later, and
     `causeway audit verify --url` verifies both relays.
Usage: relay_sigkill_test.py --causeway BIN --devnet BIN --anvil BIN [--work DIR] [--keep]
"""
import os, signal, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_common import Test  # noqa: E402
from chains import DEV_ADDR1, SUPPLY, ZERO_ADDR, sent_status, voucher_for, wait_until  # noqa: E402

AMOUNTS = [101, 102, 103, 104, 105]


def body(t, net):
    e37, e38 = net.anvil[31337], net.anvil[31338]
    net.start_committee()
    sent = []

    def send(i):
        out = net.evm_send("transfer %d (%d)" % (i + 1, AMOUNTS[i]), 31337, "channel-0", net.token, AMOUNTS[i],
                           DEV_ADDR1)
        sent.append(out)
        return out

    send(0)
    p2 = send(1)
    stage_at_kill = {"stage": "?"}

    def held():
        stage_at_kill["stage"] = net.packet(p2["packet_id"]).get("stage")
        return not stage_at_kill["stage"].startswith("unknown")
    wait_until(held, 10, 0.05)
    code = net.job.stop("relay-a", signal.SIGKILL)
    t.must(code == -signal.SIGKILL, "1. relay a SIGKILLed with packet 2 in flight",
           "exit status %s; packet 2 was %s" % (code, stage_at_kill["stage"]))
    t.check(True, "1. relay a SIGKILLed with packet 2 in flight", "packet 2 was `%s` on a" % stage_at_kill["stage"])

    for i in (2, 3, 4):
        send(i)
    time.sleep(4)
    b = net.balances()
    v = b["31338 user voucher"]
    t.check(v in (0, 101, 102, 203) and b["31337 escrow"] == 515,
            "2. while a is dead: transfers 3-5 escrowed, not delivered",
            "31337 escrow %d (want 515), 31338 user voucher %d (want a subset sum of 101, 102)" % (b["31337 escrow"], v))

    t0 = time.time()
    line = net.start_relay("a")
    t.check("packets known" in line and "0 packets known" not in line, "3. relay a restarted on its data dir",
            line.strip().replace("causeway serve: ", ""))
    name = "3a. every transfer delivered"
    net.expect(name, {"31337 user": SUPPLY - 515, "31337 escrow": 515, "31338 user voucher": 515}, limit=90)
    t.check(True, name, "515 vouchers %.1f s after the restart" % (time.time() - t0))
    acked = wait_until(lambda: all(sent_status(e37["url"], e37["endpoint"], o["commitment"]) == 2 for o in sent), 60, 0.5)
    st = [sent_status(e37["url"], e37["endpoint"], o["commitment"]) for o in sent]
    t.check(acked, "3b. every packet acknowledged at the source", "sentStatus %s (want all 2)" % st)
    time.sleep(3)  # a second delivery would show here
    b = net.balances()
    t.check(b == {"31337 user": SUPPLY - 515, "31337 escrow": 515, "31338 user voucher": 515,
                  "31338 escrow voucher": 0, "devnet user voucher": 0, "devnet escrow": 0},
            "3c. exact balances 3 s later", repr(b))
    v38 = voucher_for(e38["url"], e38["transfer_app"], net.trace38)
    mints = sorted(t.transfer_mints(net, v38)) if v38 != ZERO_ADDR else []
    t.check(mints == [(DEV_ADDR1, a) for a in AMOUNTS], "3d. exactly one mint per transfer", repr(mints))
    for m in ("a", "b"):
        stages = [net.packet(o["packet_id"], m).get("stage") for o in sent]
        t.check(stages == ["acknowledged"] * 5, "3e. relay %s: every packet acknowledged" % m, repr(stages))
    for m in ("a", "b"):
        code, last, detail = net.audit_verify(m)
        t.check(code == 0 and last.startswith("audit: verified "), "relay %s audit verify --url" % m,
                last if code == 0 else detail)


Test("a relay SIGKILLed mid-flight and restarted: every transfer completes exactly once").run(body)
