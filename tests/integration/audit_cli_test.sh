#!/usr/bin/env bash
# Process test of `causeway audit sth|export|verify` (human and --json output, exit codes 0 / 1 / 2, the
# audit key created 0600 and refused when group-readable, a tampered export reported with its code and index).
# Usage: audit_cli_test.sh CAUSEWAY_BIN AUDIT_FILL_BIN   (audit_fill writes sample entries; no engine yet)
set -u
CAUSEWAY=$1
FILL=$2

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
checks=0
failures=0

ok() { checks=$((checks + 1)); }
bad() {
  checks=$((checks + 1)); failures=$((failures + 1))
  echo "FAIL: $*" >&2
  echo "  stdout: $(head -c 600 "$OUT" 2>/dev/null)" >&2
  echo "  stderr: $(head -c 600 "$ERR" 2>/dev/null)" >&2
}
expect() {
  local want=$1; shift
  "$CAUSEWAY" "$@" </dev/null >"$OUT" 2>"$ERR"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; return 0; fi
  bad "causeway $* exited $rc, expected $want"
  return 1
}
jcheck() {
  if python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' \
      "$OUT" "$1" 2>>"$ERR"; then ok; else bad "$2: expected $1"; fi
}
lastline() {
  if [ "$(tail -n 1 "$OUT")" = "$1" ]; then ok; else bad "last line: expected '$1'"; fi
}

D=$TMP/data
mkdir -p "$D"

# No database yet: a usage/I/O error.
expect 2 audit sth --data-dir "$D" --json && jcheck 'o["error"]["code"] == "ERR_IO"' "missing database"

"$FILL" "$D" 57 || { echo "audit_fill failed" >&2; exit 1; }

# sth: creates the key (0600) and signs a head over 57 entries.
expect 0 audit sth --data-dir "$D" --json && jcheck 'o["tree_size"] == 57 and len(o["signature"]) == 130' "sth json"
if [ "$(stat -c %a "$D/audit.key")" = "600" ]; then ok; else bad "audit.key mode is $(stat -c %a "$D/audit.key")"; fi
LOG_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log_id"])' "$OUT")
expect 0 audit sth --data-dir "$D" && grep -q "^tree_size     57$" "$OUT" && ok || bad "sth human output"

# More entries, then export (signs a head covering them) and verify.
"$FILL" "$D" 9 || exit 1
expect 0 audit export --data-dir "$D" --out "$TMP/log.jsonl" --json &&
  jcheck 'o["entries"] == 66 and o["sths"] == 3' "export json"
expect 0 audit export --data-dir "$D" --out "$TMP/log2.jsonl" && grep -q "^audit: exported 66 entries" "$OUT" && ok || bad "export human"
# An export never replaces an existing file unless --force, and never the database or the key even then.
expect 2 audit export --data-dir "$D" --out "$TMP/log2.jsonl" && grep -q "exists" "$ERR" && ok || bad "export refuses an existing file"
expect 0 audit export --data-dir "$D" --out "$TMP/log2.jsonl" --force && ok || bad "export --force replaces an export"
expect 2 audit export --data-dir "$D" --out "$D/causeway.db" --force && ok || bad "export refuses the database"
expect 2 audit export --data-dir "$D" --out "$D/audit.key" --force && ok || bad "export refuses the audit key"
expect 0 audit verify --data-dir "$D" && ok || bad "the database is intact after the refused exports"
expect 2 audit export --data-dir "$D" --out "$TMP" && [ ! -e "$TMP.tmp" ] && ok || bad "export to a directory leaves no temporary file"
expect 0 audit verify --export "$TMP/log.jsonl" && lastline "audit: verified 66 entries, tree size 66"
expect 0 audit verify --export "$TMP/log.jsonl" --json --log-id "$LOG_ID" &&
  jcheck 'o["valid"] and o["entries"] == 66 and o["tree_size"] == 66 and o["sths_checked"] == 3 and o["log_id_trusted"] == "pinned"' "verify export json"
expect 0 audit verify --data-dir "$D" --json && jcheck 'o["valid"] and o["entries"] == 66' "verify data dir"
expect 0 audit verify --data-dir "$D" && lastline "audit: verified 66 entries, tree size 66"

# Tampered export: leaf 40's data changed (its recorded hash kept).
python3 - "$TMP/log.jsonl" "$TMP/bad.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for l in lines:
    if l.get("type") == "leaf" and l["index"] == 40:
        l["data"] = l["data"].replace('channel-0', 'channel-9')
open(sys.argv[2], "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
expect 1 audit verify --export "$TMP/bad.jsonl" --json &&
  jcheck 'not o["valid"] and o["error"]["code"] == "ERR_AUDIT_LEAF_HASH" and o["leaf_index"] == 40 and o["error"]["at"] == "leaves[40]"' "tampered leaf"
expect 1 audit verify --export "$TMP/bad.jsonl" && tail -n 1 "$OUT" | grep -q "^audit: INCONSISTENT at leaves\[40\]: ERR_AUDIT_LEAF_HASH" && ok || bad "tampered human"

# Truncated export.
head -n -2 "$TMP/log.jsonl" > "$TMP/short.jsonl"
expect 1 audit verify --export "$TMP/short.jsonl" --json &&
  jcheck 'o["error"]["code"] == "ERR_AUDIT_TRUNCATED" and o["leaf_index"] == 64' "truncated"

# Wrong pinned key.
expect 1 audit verify --export "$TMP/log.jsonl" --json --log-id 0x$(printf '11%.0s' {1..32}) &&
  jcheck 'o["error"]["code"] == "ERR_AUDIT_INCONSISTENT" and o["error"]["at"] == "sths[0]"' "pinned log id"

# --url of nothing listening: an I/O error (2); the routes themselves: tests/integration/audit_serve_test.py.
expect 2 audit verify --url http://127.0.0.1:1 --json && jcheck 'o["error"]["code"] == "ERR_RPC_TRANSPORT"' "url unreachable"
expect 2 audit verify --url ftp://x --json && jcheck 'o["error"]["code"] == "ERR_INVALID_ARGUMENT"' "url scheme"
echo '{"format":"x"}' > "$TMP/notexport.jsonl"
expect 2 audit verify --export "$TMP/notexport.jsonl" --json && jcheck 'o["error"]["code"] == "ERR_AUDIT_EXPORT"' "not an export"

# A3: every malformed export is ERR_AUDIT_EXPORT with its line (exit 2), never raw exception text.
# A4: the header's log_id / tree_size / sth_count must agree with the body.
# mutate NAME PYTHON-EXPR-ON-lines: writes $TMP/NAME.jsonl from log.jsonl (lines = list of raw strings).
mutate() {
  python3 - "$TMP/log.jsonl" "$TMP/$1.jsonl" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
def obj(i): return json.loads(lines[i])
def put(i, o): lines[i] = json.dumps(o)
exec(sys.argv[3])
open(sys.argv[2], "w").write("".join(l + "\n" for l in lines))
PY
}
malformed() {  # NAME AT-SUBSTRING
  expect 2 audit verify --export "$TMP/$1.jsonl" --json &&
    jcheck 'o["error"]["code"] == "ERR_AUDIT_EXPORT" and "'"$2"'" in o["error"]["at"]' "$1: ERR_AUDIT_EXPORT at $2"
  expect 2 audit verify --export "$TMP/$1.jsonl" && grep -q "^error: ERR_AUDIT_EXPORT: .*(at $2" "$ERR" && ok ||
    bad "$1: human message names ERR_AUDIT_EXPORT and $2"
  if grep -q "type_error\|parse_error\|\[json.exception" "$ERR" "$OUT"; then bad "$1: raw exception text"; else ok; fi
}
mutate a4_size 'o = obj(0); o["tree_size"] = 65; put(0, o)'
malformed a4_size "line 1"
mutate a4_count 'o = obj(0); o["sth_count"] = 2; put(0, o)'
malformed a4_count "line 1"
mutate a4_logid 'o = obj(0); o["log_id"] = "0x" + "22" * 32; put(0, o)'
malformed a4_logid "line 1"
mutate a4_nocount 'o = obj(0); del o["sth_count"]; put(0, o)'
malformed a4_nocount "line 1"
mutate a3_format_type 'o = obj(0); o["format"] = 7; put(0, o)'
malformed a3_format_type "line 1"
mutate a3_sth_type 'o = obj(2); o["type"] = ["sth"]; put(2, o)'
malformed a3_sth_type "line 3"
mutate a3_sth_field 'o = obj(2); o["sth"]["tree_size"] = "57"; put(2, o)'
malformed a3_sth_field "line 3"
mutate a3_leaf_type 'o = obj(10); o["type"] = 5; put(10, o)'
malformed a3_leaf_type "line 11"
mutate a3_leaf_json 'lines[12] = lines[12][:40]'
malformed a3_leaf_json "line 13"
mutate a3_leaf_index 'o = obj(12); o["index"] = -1; put(12, o)'
malformed a3_leaf_index "line 13"
mutate a3_leaf_hash 'o = obj(12); o["leaf_hash"] = 12; put(12, o)'
malformed a3_leaf_hash "line 13"
mutate a3_leaf_data 'o = obj(12); o["data"] = {"kind": "x"}; put(12, o)'
malformed a3_leaf_data "line 13"
mutate a3_proof 'o = obj(3); o["consistency_proof"] = ["0x12"]; put(3, o)'
malformed a3_proof "line 4"
# The unmodified export still verifies (the mutations above are the only difference).
expect 0 audit verify --export "$TMP/log.jsonl" && ok || bad "the original export verifies"
chmod 644 "$D/audit.key"
expect 2 audit sth --data-dir "$D" --json && jcheck 'o["error"]["code"] == "ERR_KEY_PERMISSIONS"' "key mode 0644"

echo "audit_cli_test: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
