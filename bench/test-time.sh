#!/usr/bin/env bash
# The test suite's wall time against an earlier revision's, back to back on this machine (shared and
# noisy machines: compare the ratio, not the seconds). Usage: bench/test-time.sh [REV] [ROUNDS]
# REV defaults to 474fabe (before the lifecycle restructure, issue 10).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-474fabe}
rounds=${2:-2}
old=$(mktemp -d)
trap 'rm -rf "$old"' EXIT
git clone -q . "$old/main"
git -C "$old/main" checkout -q "$rev"
ln -s "$PWD/node_modules" "$old/main/node_modules"
[ -e ../shared ] && ln -s "$(cd .. && pwd)/shared" "$old/shared"
time_of() { # dir -> seconds
  local start end
  start=$(date +%s.%N)
  (cd "$1" && npx vitest run >/dev/null 2>&1) || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
for round in $(seq "$rounds"); do
  o=$(time_of "$old/main")
  n=$(time_of .)
  echo "round $round: $rev ${o}s, now ${n}s, ratio $(echo "scale=2; $n / $o" | bc)"
done
start=$(date +%s.%N); npx vitest run --project unit >/dev/null 2>&1; end=$(date +%s.%N)
echo "unit project alone: $(echo "$end - $start" | bc)s"
