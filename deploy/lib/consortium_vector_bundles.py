#!/usr/bin/env python3
"""Builds proof bundles (docs/proof-bundles.md, family `bft`) from the real ChainMaker and FISCO BCOS blocks in
../shared/vectors (SOURCES.md "chainmaker/" and "fisco/").

Used by deploy/quickstart.sh and the CLI process tests. Writes into OUT_DIR:
  chainmaker_block30.json    codec chainmaker/v2: block 30 from block 29 (config height 22), its transaction
                             (CONTRACT_MANAGE INIT_CONTRACT of EVM_ERC20_1) and that transaction's Transfer event
                             under tx_root. Expected: valid (exit 0).
  chainmaker_block3.json     codec chainmaker/v2: block 3 from block 2 (config height 0) with its transaction as the
                             explorer stored it. The header, proposer signature and TBFT QC verify, but the explorer
                             replaced the contract bytecode by "md5:…", so the transaction does not hash to tx_root.
                             Expected: exit 1, ERR_MERKLE_BRANCH at "inclusion" (SOURCES.md "block_3_blockinfo.json").
  fisco_v2_block8.json       codec fisco-bcos/v2: block 8 (3 of 3 seals) from block 7, its one-leaf tx proof.
                             Expected: valid.
  fisco_v3_block2_receipt.json  codec fisco-bcos/v3 (SM3/SM2): block 2 from block 1 and the receipt of its
                             transaction under receiptsRoot (txReceiptProof). Expected: valid.
ChainMaker trust ("trust-root mode", as tests/vectors/chainmaker/cm_vectors.hpp trust_with_pins): the four orgs
with the node ids of SOURCES.md "Validator set"; wx-org1/wx-org2 by their root CAs (chain1_org_ca_certs.json);
wx-org3/wx-org4, whose CAs are unknown, by their consensus signing certificates pinned from the OTHER block
(never from the block under test).
Every bundle carries verify_time_s = 1800000000 (verification does not depend on the machine's clock).
Nothing is copied into the repository; the files are derived at run time. Python 3 standard library only.
Usage: consortium_vector_bundles.py VECTORS_DIR OUT_DIR
"""
import base64
import json
import os
import sys

VERIFY_TIME_S = 1800000000
CM_DIR = os.path.join("chainmaker", "pzy2000_ChineseChess-Chain")
FISCO_V2 = os.path.join("fisco", "W-a-n-g-z_pinganyuan_springboot", "v2_block_8.json")
FISCO_V3 = os.path.join("fisco", "FISCO-BCOS_FISCO-BCOS-DOC", "v3_sm_block_2.json")
FISCO_V3_RECEIPT = os.path.join("fisco", "FISCO-BCOS_FISCO-BCOS-DOC", "v3_sm_block_2_receipt.json")

# SOURCES.md "chainmaker/", "Validator set": org → consensus node id (checked against the votes below).
CM_NODES = [
    ("wx-org1.chainmaker.org", "QmVkqwwEEnfPjw7RiKoYUqN7hFN3tcQaG4aUJLZUF6U4L7"),
    ("wx-org2.chainmaker.org", "QmTKwyspT55Jcq8ien1JMyxckN6AmqgBpCz2vUZyp4NRdX"),
    ("wx-org3.chainmaker.org", "QmZGKPwu3K9uCdo3x4EsR5N4nmR4qpk7Q56RLzsNdHbKw8"),
    ("wx-org4.chainmaker.org", "QmUjC29VEBtRcD2jQv8kZLmJnqNeEjwjSJKe17zKuysUsJ"),
]
TBFT_KEY = "TBFTAddtionalDataKey"  # sic, ChainMaker's key


def load(vec, rel):
    with open(os.path.join(vec, rel)) as f:
        return json.load(f)


def dump(obj, out, name):
    with open(os.path.join(out, name), "w") as f:
        json.dump(obj, f, indent=1)


def hex0x(b64):
    return "0x" + base64.b64decode(b64).hex()


# ---- a minimal protobuf wire reader (only what the TBFT VoteSet needs) --------------------------------------
def varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Yields (field number, value) for every field: int for varints, bytes for length-delimited ones."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield num, v


def votes_of(block):
    """(voter node id, signer org id, signer member_info PEM) of every vote in the block's tbft.VoteSet:
    VoteSet.votes (6) = map entries {1 key, 2 Vote}; Vote.voter (2), Vote.endorsement (6) = EndorsementEntry
    {1 signer Member {1 org_id, 3 member_info}}."""
    out = []
    qc = base64.b64decode(block["additional_data"]["extra_data"][TBFT_KEY])
    for num, entry in fields(qc):
        if num != 6:
            continue
        vote = next(v for n, v in fields(entry) if n == 2)
        voter, org, info = None, None, None
        for n, v in fields(vote):
            if n == 2:
                voter = v.decode()
            elif n == 6:
                for n2, v2 in fields(v):
                    if n2 == 1:
                        for n3, v3 in fields(v2):
                            if n3 == 1:
                                org = v3.decode()
                            elif n3 == 3:
                                info = v3.decode()
        out.append((voter, org, info))
    return out


def signing_certs_of(block):
    """Consensus signing certificates (PEM) seen in a block: proposer and vote signers, by org."""
    certs = {}
    p = block["header"]["proposer"]
    certs[p["org_id"]] = base64.b64decode(p["member_info"]).decode()
    for voter, org, pem in votes_of(block):
        if (org, voter) not in CM_NODES:
            raise SystemExit("vote of %s signed by %s contradicts SOURCES.md's validator table" % (voter, org))
        certs[org] = pem
    return certs


def cm_orgs(cas, pin_from):
    pins = signing_certs_of(pin_from)
    orgs = []
    for org, node in CM_NODES:
        o = {"org_id": org, "node_ids": [node]}
        if org in cas:
            o["ca_certs"] = [cas[org]]
        else:
            o["signing_certs"] = [pins[org]]
        orgs.append(o)
    return orgs


def cm_bundle(info, cas, pin_from, with_event):
    block = info["block"]
    h = block["header"]
    tx = block["txs"][0]
    inc = {"kind": "chainmaker-merkle", "height": int(h["block_height"]), "tx_index": 0,
           "tx_id": tx["payload"]["tx_id"], "path": []}  # tx_count 1: the root is the leaf, no siblings
    if with_event:
        e = tx["result"]["contract_result"]["contract_event"][0]
        inc["event"] = {"index": 0, "topic": e["topic"], "contract_name": e["contract_name"],
                        "event_data": e["event_data"]}
    return {"version": 1, "family": "bft", "codec": "chainmaker/v2", "island": "chainmkr:" + h["chain_id"],
            "anchor": {"height": int(h["block_height"]) - 1, "hash": hex0x(h["pre_block_hash"]),
                       "hash_type": "SHA256", "config_height": int(h.get("pre_conf_height", 0)),
                       "orgs": cm_orgs(cas, pin_from)},
            "headers": [info], "inclusion": inc, "verify_time_s": VERIFY_TIME_S}


def sealers_of(result):
    return [{"node_id": s, "weight": 1} for s in result["sealerList"]]


def main():
    vec, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)

    b30 = load(vec, os.path.join(CM_DIR, "block_30_blockinfo.json"))
    b3 = load(vec, os.path.join(CM_DIR, "block_3_blockinfo.json"))
    cas = load(vec, os.path.join(CM_DIR, "chain1_org_ca_certs.json"))["OrgCA"]
    dump(cm_bundle(b30, cas, b3["block"], True), out, "chainmaker_block30.json")
    dump(cm_bundle(b3, cas, b30["block"], False), out, "chainmaker_block3.json")

    rpc = load(vec, FISCO_V2)
    r = rpc["result"]
    dump({"version": 1, "family": "bft", "codec": "fisco-bcos/v2", "island": "fisco:1-1",
          "anchor": {"height": int(r["number"], 16) - 1, "hash": r["parentHash"], "hash_algorithm": "keccak256",
                     "sealers": sealers_of(r)},
          "headers": [rpc],
          "inclusion": {"kind": "fisco-v2-trie16", "tree": "tx", "height": int(r["number"], 16), "index": 0,
                        "tx_hash": r["transactions"][0]["hash"], "proof": [{"left": [], "right": []}]},
          "verify_time_s": VERIFY_TIME_S}, out, "fisco_v2_block8.json")

    rpc = load(vec, FISCO_V3)
    r = rpc["result"]
    receipt = load(vec, FISCO_V3_RECEIPT)
    parent = r["parentInfo"][0]
    dump({"version": 1, "family": "bft", "codec": "fisco-bcos/v3", "island": "fisco:chain0-group0",
          "anchor": {"height": parent["blockNumber"], "hash": parent["blockHash"], "hash_algorithm": "sm3",
                     "consensus": "pbft", "sealers": sealers_of(r)},
          "headers": [rpc],
          "inclusion": {"kind": "fisco-v3-merkle", "tree": "receipt", "height": r["number"], "receipt": receipt,
                        "proof": receipt["result"]["txReceiptProof"]},
          "verify_time_s": VERIFY_TIME_S}, out, "fisco_v3_block2_receipt.json")


if __name__ == "__main__":
    main()
