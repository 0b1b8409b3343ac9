#!/usr/bin/env bash
# The main job (issue #7; docs/quickstart.md). First section: installs what is missing, builds Causeway, then verifies real Bitcoin
# mainnet headers (a run across the 554400 difficulty retarget) and real transaction proofs (blocks 0,
# 100000 and 592920) from ../shared/vectors — or, when that folder is absent, a freshly mined regtest chain —
# and, when the vectors hold them, real ChainMaker blocks 3 and 30 and FISCO BCOS v2 block 8 / v3 block 2
# (bundles built by deploy/lib/consortium_vector_bundles.py), and prints a readable summary. Exits non-zero if
# any step fails. Second section (deploy/lib/mainjob.py): two anvil chains (31337, 31338; 1 s blocks), a
# 4-validator causeway-devnet, the contracts, governance-signed island and channel records, a 2-of-2 relay
# committee of two `causeway serve` processes, the transfers as far as the relay supports them, and the auditor's
# verdict as the LAST line; every process it started is stopped by pid.
# Usage: deploy/quickstart.sh [--build-dir DIR] [--vectors-only]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build"
vectors_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift ;;
    --vectors-only) vectors_only=1 ;;
    *) echo "quickstart.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
vectors="${CAUSEWAY_VECTORS:-$here/../shared/vectors}"
jobs=$(nproc 2>/dev/null || echo 2)

"$here/deploy/install-deps.sh"
echo "== building causeway ($build)"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs" --target causeway causeway-devnet
cw="$build/relay/app/causeway"
devnet="$build/adapters/devnet/node/causeway-devnet"
anvil="$here/tools/node_modules/.bin/anvil"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

verify_bundle() {  # name, bundle file
  local out rc
  set +e; out=$("$cw" proof verify "$2"); rc=$?; set -e
  echo "$out" > "$work/result.json"
  if [ $rc -eq 0 ]; then
    printf '  %-28s valid   height %-7s txid %s  confirmations %s\n' "$1" \
      "$(field "$work/result.json" "d['height']")" "$(field "$work/result.json" "d['claim']['txid']")" \
      "$(field "$work/result.json" "d['confirmations']")"
  else
    printf '  %-28s FAILED  %s\n' "$1" "$out"; failures=$((failures + 1))
  fi
}

if [ -d "$vectors/bitcoin" ]; then
  echo "== Bitcoin mainnet, real data from $vectors"
  python3 "$here/deploy/lib/bitcoin_vector_bundles.py" "$vectors" "$work/btc"
  a="$work/btc/run554390.anchor.json"
  echo "-- importing 18 real mainnet headers after block 554390 (retarget at 554400)"
  if "$cw" bitcoin import-headers --network mainnet --anchor-height "$(field "$a" "d['height']")" \
      --anchor-header "$(field "$a" "d['header']")" --period-start-time "$(field "$a" "d['period_start_time_s']")" \
      --db "$work/headers.db" "$work/btc/run554390.headers" > "$work/import.txt"; then
    sed 's/^/  /' "$work/import.txt"
  else
    sed 's/^/  /' "$work/import.txt"; failures=$((failures + 1))
  fi
  echo "-- verifying real transaction proof bundles (offline, anchors as given)"
  verify_bundle "genesis coinbase" "$work/btc/genesis_coinbase.json"
  for i in 0 1 2 3; do verify_bundle "block 100000 tx $i" "$work/btc/block100000_tx$i.json"; done
  verify_bundle "block 592920 tx 26 (raw tx)" "$work/btc/block592920_tx26.json"
else
  echo "== $vectors is absent: using a freshly mined regtest chain"
  "$cw" bitcoin regtest-sample --blocks 300 --out "$work/regtest"
  a="$work/regtest/anchor.json"
  "$cw" bitcoin import-headers --network regtest --anchor-height 0 --anchor-header "$(field "$a" "d['header']")" \
    --db "$work/headers.db" "$work/regtest/headers.txt" | sed 's/^/  /'
  verify_bundle "regtest tx proof" "$work/regtest/bundle.json"
fi

# One summary line per consortium bundle: island, height, verdict, what was proven. Arguments: bundle file, then
# optionally the error code and location of an expected refusal.
consortium_bundle() {
  local out rc
  set +e; out=$("$cw" proof verify "$1"); rc=$?; set -e
  echo "$out" > "$work/result.json"
  if python3 - "$work/result.json" "$rc" "$1" "${2:-}" "${3:-}" <<'PY'; then :; else failures=$((failures + 1)); fi
import json, sys
o, rc, bundle, want_code, want_at = json.load(open(sys.argv[1])), int(sys.argv[2]), json.load(open(sys.argv[3])), sys.argv[4], sys.argv[5]
island, height = bundle["island"], bundle["inclusion"]["height"]
if want_code:  # an expected refusal: the headers verified, the claim did not
    e = o.get("error", {})
    if rc == 1 and e.get("code") == want_code and e.get("at") == want_at:
        print("  %-20s height %-3s refused  as expected: header + TBFT QC valid, its tx as the explorer stored it is not"
              " under tx_root (%s)" % (island, height, want_code))
        sys.exit(0)
    print("  %-20s height %-3s FAILED   expected exit 1 with %s at %s, got exit %d: %s"
          % (island, height, want_code, want_at, rc, json.dumps(o)[:300]))
    sys.exit(1)
if rc != 0:
    print("  %-20s height %-3s FAILED   %s" % (island, height, json.dumps(o.get("error", o))[:400]))
    sys.exit(1)
c = o["claim"]
if o["codec"] == "chainmaker/v2":
    q = o["quorum"]
    what = "tx %s… (%s.%s)" % (c["tx_id"][:16], c["contract_name"], c["method"])
    if "event" in c:
        what += " + its event %s… (%s)" % (c["event"]["topic"][:8], c["event"]["contract_name"])
    what += " under tx_root; TBFT QC: %d of %d validators (quorum %d)" % (q["counted"], q["validators"], q["required"])
elif c["tree"] == "receipt":
    what = "receipt %s… (status 0) under receiptsRoot; sealed by a quorum [%s]" % (c["receipt_hash"][:18], o["hash_algorithm"])
else:
    what = "tx %s… under transactionsRoot; sealed by a quorum [%s]" % (c["tx_hash"][:18], o["hash_algorithm"])
print("  %-20s height %-3s valid    %s" % (island, o["height"], what))
PY
}

if [ -d "$vectors/chainmaker" ] && [ -d "$vectors/fisco" ]; then
  echo "== ChainMaker and FISCO BCOS, real blocks from $vectors (offline, anchors as given)"
  python3 "$here/deploy/lib/consortium_vector_bundles.py" "$vectors" "$work/cons"
  consortium_bundle "$work/cons/chainmaker_block30.json"
  consortium_bundle "$work/cons/chainmaker_block3.json" ERR_MERKLE_BRANCH inclusion
  consortium_bundle "$work/cons/fisco_v2_block8.json"
  consortium_bundle "$work/cons/fisco_v3_block2_receipt.json"
  checked="Bitcoin, ChainMaker and FISCO BCOS"
fi

echo
if [ "$failures" -eq 0 ]; then
  echo "quickstart: all ${checked:-Bitcoin} checks verified"
else
  echo "quickstart: $failures check(s) FAILED"
fi
[ "$vectors_only" = 1 ] && { [ "$failures" -eq 0 ]; exit $?; }

echo
set +e
python3 "$here/deploy/lib/mainjob.py" --causeway "$cw" --devnet "$devnet" --anvil "$anvil" --vectors "$vectors"
mainjob=$?
set -e
[ "$failures" -eq 0 ] && [ "$mainjob" -eq 0 ]
