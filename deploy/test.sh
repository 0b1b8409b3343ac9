#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs the whole test suite with CTest.
# Usage: deploy/test.sh [--sanitize] [--build-dir DIR] [-- extra ctest args]
#   --sanitize   also build the pure libraries (light_clients) with ASan/UBSan and run their unit and
#                vector tests (CI does this).
# Env: CAUSEWAY_VECTORS (default ../shared/vectors), CAUSEWAY_REQUIRE_VECTORS=1 makes absent vectors fail.
# Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build"
sanitize=0
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --build-dir) build="$2"; shift ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
jobs=$(nproc 2>/dev/null || echo 2)

"$here/deploy/install-deps.sh"

echo "== configure and build ($build)"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"

echo "== test"
(cd "$build" && ctest --output-on-failure -j "$jobs" "${ctest_args[@]}")

if [ "$sanitize" = 1 ]; then
  asan="$build-asan"
  echo "== ASan/UBSan build of the pure libraries ($asan)"
  cmake -S "$here" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAUSEWAY_PURE_ONLY=ON -DCAUSEWAY_SANITIZE=ON >/dev/null
  cmake --build "$asan" -j "$jobs"
  (cd "$asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$jobs")
fi
