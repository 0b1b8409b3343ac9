#!/usr/bin/env python3
"""Builds proof bundles and header files from the real Bitcoin mainnet data in ../shared/vectors.

Used by deploy/quickstart.sh and the CLI process tests. Writes into OUT_DIR:
  block100000_tx<i>.json   tx inclusion bundles for the 4 transactions of block 100000 (tx_count 4)
  block592920_tx26.json    tx inclusion bundle with the raw transaction (summa-tx testProofs valid[0])
  genesis_coinbase.json    the genesis coinbase, anchored at height 0, with its raw transaction
  run554390.headers        18 headers 554391..554408 (crossing the 554400 retarget), one hex per line
  run554390.anchor.json    {height, header, period_start_time_s} for `causeway bitcoin import-headers`
Nothing is copied into the repository; the files are derived at run time.
Usage: bitcoin_vector_bundles.py VECTORS_DIR OUT_DIR
"""
import json
import os
import struct
import sys

MAINNET_ISLAND = "bip122:000000000019d6689c085ae165831e93"


def rev(h):
    return bytes.fromhex(h)[::-1].hex()


def strip0x(h):
    return h[2:] if h.startswith("0x") else h


def bundle(height, header_hex, txid_display, index, branch_display, tx_count=None, tx_hex=None):
    inc = {"kind": "tx", "height": height, "txid": "0x" + txid_display, "index": index,
           "branch": ["0x" + b for b in branch_display]}
    if tx_count is not None:
        inc["tx_count"] = tx_count
    if tx_hex is not None:
        inc["tx"] = "0x" + tx_hex
    return {"version": 1, "family": "bitcoin", "island": MAINNET_ISLAND, "network": "mainnet",
            "anchor": {"height": height, "header": "0x" + header_hex}, "headers": [],
            "inclusion": inc, "finality": {"min_confirmations": 1}, "verify_time_s": 1700000000}


def main():
    vec, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    btc = os.path.join(vec, "bitcoin")

    b100k = json.load(open(os.path.join(btc, "mainnet_block100000_merkle.json")))
    for p in b100k["proofs"]:
        b = bundle(100000, b100k["header_hex"], p["txid"], p["index"],
                   [rev(x) for x in p["branch_internal_byte_order"]], tx_count=len(b100k["txids"]))
        json.dump(b, open(os.path.join(out, "block100000_tx%d.json" % p["index"]), "w"), indent=1)

    proofs = json.load(open(os.path.join(btc, "summa-tx_bitcoin-spv", "testProofs.json")))
    v = json.loads(proofs["valid"][0])
    hdr = v["confirming_header"]
    if isinstance(hdr, str):  # a Python-repr string in the source (SOURCES.md)
        import ast
        hdr = ast.literal_eval(hdr)
    raw_header = strip0x(hdr["raw"])
    tx = strip0x(v["version"]) + strip0x(v["vin"]) + strip0x(v["vout"]) + strip0x(v["locktime"])
    nodes = strip0x(v["intermediate_nodes"])
    branch = [rev(nodes[i:i + 64]) for i in range(0, len(nodes), 64)]
    b = bundle(hdr["height"], raw_header, rev(strip0x(v["tx_id"])), v["index"], branch, tx_hex=tx)
    json.dump(b, open(os.path.join(out, "block592920_tx26.json"), "w"), indent=1)

    g = json.load(open(os.path.join(btc, "mainnet_genesis_block.json")))
    raw = g["raw_block_hex"]
    coinbase = raw[160 + 2:]  # header, then a one-byte varint transaction count (1)
    b = bundle(0, g["header_hex"], g["coinbase_txid"], 0, [], tx_count=1, tx_hex=coinbase)
    json.dump(b, open(os.path.join(out, "genesis_coinbase.json"), "w"), indent=1)

    run = json.load(open(os.path.join(btc, "summa-tx_bitcoin-spv", "headersWithRetarget.json")))
    start = bytes.fromhex(strip0x(run["oldPeriodStart"]["hex"]))
    anchor = {"height": run["genesis"]["height"], "header": run["genesis"]["hex"],
              "period_start_time_s": struct.unpack("<I", start[68:72])[0]}
    json.dump(anchor, open(os.path.join(out, "run554390.anchor.json"), "w"), indent=1)
    with open(os.path.join(out, "run554390.headers"), "w") as f:
        for h in run["chain"]:
            f.write(strip0x(h["hex"]) + "\n")


if __name__ == "__main__":
    main()
