// Peer bench for `causeway bench peers` (DESIGN.md §5): times @ethereumjs/trie's Trie#verifyProof (v6 instance
// API: verifyProof(rootHash, key, proof) → value | null, throws on an invalid proof) over the receipt proofs
// Causeway verifies in the same run.
//
// Usage: node peer_trie_verify.mjs PROOFS.json TOOLS_DIR SECONDS
//   PROOFS.json  {"root": hex, "proofs": [{"key": hex, "nodes": [hex, …], "value": hex}, …]}  (hex without 0x)
//   TOOLS_DIR    the folder deploy/install-deps.sh installs the pinned npm tools into (<repo>/tools)
//   SECONDS      measured time (after one checked pass and a warm-up of the same length / 4)
// Prints one JSON line: {"verified_per_s", "verifications", "seconds", "proofs", "package", "node"}.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, tools, secondsArg] = process.argv.slice(2);
if (!file || !tools) {
  console.error('usage: node peer_trie_verify.mjs PROOFS.json TOOLS_DIR [SECONDS]');
  process.exit(2);
}
const seconds = Number(secondsArg ?? '2');
const pkgDir = path.join(tools, 'node_modules', '@ethereumjs', 'trie');
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const { Trie } = await import(pathToFileURL(path.join(pkgDir, pkg.exports['.'].import)).href);

const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const input = JSON.parse(readFileSync(file, 'utf8'));
const root = bytes(input.root);
const proofs = input.proofs.map((p) => ({ key: bytes(p.key), nodes: p.nodes.map(bytes), value: bytes(p.value) }));

const trie = new Trie();  // supplies the options only: verifyProof builds a fresh trie from the proof each call
const pass = async () => {
  for (const p of proofs) await trie.verifyProof(root, p.key, p.nodes);
};

// One checked pass: every proof yields exactly the receipt Causeway proved.
for (const [i, p] of proofs.entries()) {
  const v = await trie.verifyProof(root, p.key, p.nodes);
  if (v === null || Buffer.compare(Buffer.from(v), Buffer.from(p.value)) !== 0) {
    console.error(`proof ${i}: @ethereumjs/trie returned a different value`);
    process.exit(1);
  }
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
let t0 = now();
while (now() - t0 < seconds / 4) await pass();  // warm-up (JIT)

let verifications = 0;
t0 = now();
let elapsed = 0;
do {
  await pass();
  verifications += proofs.length;
  elapsed = now() - t0;
} while (elapsed < seconds);

console.log(JSON.stringify({
  verified_per_s: verifications / elapsed,
  verifications,
  seconds: elapsed,
  proofs: proofs.length,
  package: `${pkg.name}@${pkg.version}`,
  node: process.version,
}));
