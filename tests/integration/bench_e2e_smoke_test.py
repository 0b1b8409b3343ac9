#!/usr/bin/env python3
"""bench_e2e_smoke_test: `causeway bench e2e --packets 6 --senders 2 --json` on two real anvil chains (tools/)
prints one JSON object with every field docs/benchmarks.md names, every packet delivered (voucher balances on B
exact, escrow on A exact, the relay's ledger invariant holding) and exits 0. No timing assertion: speed is what
the bench reports, not what this test checks.

Usage: bench_e2e_smoke_test.py CAUSEWAY_BIN ANVIL_BIN
Skipped (exit 77) when ANVIL_BIN is absent, unless CAUSEWAY_REQUIRE_TOOLS=1."""
import json
import os
import subprocess
import sys

PACKETS, SENDERS = 6, 2
FIELDS = ["bench", "metric", "value", "unit", "limit_metric", "limit", "ratio", "threads", "n", "packets", "senders",
          "delivered", "acknowledged", "packets_per_s", "first_send_to_last_delivered_s", "seen_to_delivered_ms",
          "block_to_delivered_ms", "block_time_s", "confirmations", "min_confirmations", "target_formula",
          "target_met", "balances_ok", "balances", "escrow_on_a", "ledger_ok", "ok", "failures", "source",
          "destination", "per_packet"]


def main():
    causeway, anvil = sys.argv[1], sys.argv[2]
    if not os.access(anvil, os.X_OK):
        if os.environ.get("CAUSEWAY_REQUIRE_TOOLS") == "1":
            print("anvil missing at %s and CAUSEWAY_REQUIRE_TOOLS=1" % anvil)
            return 1
        print("skipped: no anvil at %s (deploy/install-deps.sh)" % anvil)
        return 77
    r = subprocess.run([causeway, "bench", "e2e", "--packets", str(PACKETS), "--senders", str(SENDERS), "--json",
                        "--anvil", anvil], capture_output=True, text=True, timeout=600)
    sys.stderr.write(r.stderr[-6000:])
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    assert len(lines) == 1, "expected one JSON object on stdout, got:\n" + r.stdout
    j = json.loads(lines[0])
    missing = [f for f in FIELDS if f not in j]
    assert not missing, "missing fields %s in %s" % (missing, lines[0][:400])
    assert j["bench"] == "e2e" and j["n"] == PACKETS and j["packets"] == PACKETS and j["senders"] == SENDERS, j
    assert j["failures"] == [], j["failures"]
    assert j["delivered"] == PACKETS, "delivered %s of %d" % (j["delivered"], PACKETS)
    assert j["ok"] is True and j["balances_ok"] is True and j["ledger_ok"] is True, j
    for p in ("p50", "p99", "max"):
        assert p in j["seen_to_delivered_ms"] and p in j["block_to_delivered_ms"]
    assert j["block_time_s"] == 1 and j["confirmations"] == 0 and j["min_confirmations"] == 1
    assert j["source"] == "eip155:31337" and j["destination"] == "eip155:31338"
    assert [p["sequence"] for p in j["per_packet"]] == list(range(1, PACKETS + 1))
    assert all(p["delivered"] and p["stage"] in ("delivered", "acknowledged") for p in j["per_packet"]), j["per_packet"]
    # Every packet's amount reached its sender's receiver on B: the balances sum to the total sent.
    total = sum(p["amount"] for p in j["per_packet"])
    assert sum(int(b["voucher_balance"]) for b in j["balances"]) == total and j["escrow_on_a"] == str(total)
    assert r.returncode == 0, "exit %d" % r.returncode
    print("ok: %d packets delivered; p50 block->delivered %.0f ms, %.2f packets/s" %
          (j["delivered"], j["block_to_delivered_ms"]["p50"], j["packets_per_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
