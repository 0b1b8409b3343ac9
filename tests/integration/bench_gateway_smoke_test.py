#!/usr/bin/env python3
"""bench_gateway_smoke_test: `causeway bench gateway --packets 300 --json` (a real gateway on an ephemeral
127.0.0.1 port, 32 keep-alive connections) prints one JSON object with every field docs/benchmarks.md
"Gateway" names, every packet answered 201 new with a distinct packet id, the relay holding exactly 300 packets
afterwards (exactly once), no request rate-limited or connection refused, and exits 0. No timing assertion:
speed is what the bench reports, not what this test checks.

Usage: bench_gateway_smoke_test.py CAUSEWAY_BIN"""
import json
import subprocess
import sys

PACKETS, CONNECTIONS = 300, 32
FIELDS = ["bench", "metric", "value", "unit", "limit_metric", "limit", "ratio", "threads", "n", "packets",
          "connections", "connections_opened", "server_threads", "packets_per_block", "batch_max", "batch_avg",
          "synchronous", "durable_before_response", "runs", "packets_per_s", "in_process_packets_per_s",
          "latency_ms", "answers", "distinct_packet_ids", "packets_in_relay", "exactly_once", "rate_limited",
          "refused_connections", "targets", "target_met", "goal", "ok", "failures"]


def main():
    causeway = sys.argv[1]
    r = subprocess.run([causeway, "bench", "gateway", "--packets", str(PACKETS), "--json"], capture_output=True,
                       text=True, timeout=300)
    sys.stderr.write(r.stderr[-4000:])
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    assert len(lines) == 1, "expected one JSON object on stdout, got:\n" + r.stdout
    j = json.loads(lines[0])
    missing = [f for f in FIELDS if f not in j]
    assert not missing, "missing fields %s in %s" % (missing, lines[0][:400])
    assert j["bench"] == "gateway" and j["metric"] == "proven_packets_over_http_per_s" and j["unit"] == "1/s", j
    assert j["limit_metric"] == "relay_core_in_process_packets_per_s", j
    assert j["n"] == PACKETS and j["packets"] == PACKETS and j["runs"] == 1, j
    assert j["connections"] == CONNECTIONS and j["connections_opened"] == CONNECTIONS and j["threads"] == CONNECTIONS
    assert j["failures"] == [], j["failures"]
    assert j["answers"] == {"created_201": PACKETS, "existing_200": 0, "other": 0}, j["answers"]
    assert j["distinct_packet_ids"] == PACKETS and j["packets_in_relay"] == PACKETS, j
    assert j["exactly_once"] is True and j["ok"] is True, j
    assert j["rate_limited"] == 0 and j["refused_connections"] == 0, j
    assert j["synchronous"] == "FULL" and j["durable_before_response"] is True
    assert j["targets"] == {"packets_per_s": 5000, "p99_ms": 50, "ratio": 0.5}, j["targets"]
    assert set(j["target_met"]) == {"packets_per_s", "p99_ms", "ratio"}
    assert all(isinstance(v, bool) for v in j["target_met"].values())
    assert set(j["latency_ms"]) == {"p50", "p99", "max"}
    lat = j["latency_ms"]
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"], lat
    assert j["value"] > 0 and j["limit"] > 0 and j["packets_per_s"] == j["value"]
    assert j["in_process_packets_per_s"] == j["limit"]
    assert r.returncode == 0, "exit %d" % r.returncode
    print("ok: %d packets accepted exactly once over %d connections; %.0f packets/s, p99 %.1f ms, ratio %.3f" %
          (PACKETS, CONNECTIONS, j["value"], lat["p99"], j["ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
