#!/usr/bin/env bash
# docs/error-codes.md must list exactly the codes the binary knows: everything after its marker line is the
# output of `causeway errors --markdown`. Regenerate with:
#   { sed '/^<!-- generated/q' docs/error-codes.md; causeway errors --markdown; } > new && mv new docs/error-codes.md
set -euo pipefail
causeway=$1
doc=$2
if ! diff <(sed '1,/^<!-- generated/d' "$doc") <("$causeway" errors --markdown); then
  echo "docs/error-codes.md is out of date: regenerate it (see the comment at the top of this script)" >&2
  exit 1
fi
echo "docs/error-codes.md lists every error code"
