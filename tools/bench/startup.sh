#!/usr/bin/env bash
# Start-up time of the ebt command: the median wall clock of 10 runs each of `ebt --help`,
# `ebt stationarity adf` on 200 values and `ebt detect` on a trajectory (if one is given), from the built
# CLI. EBT_FROM_SOURCE=1 measures the sources through tsx instead.
#   bash tools/bench/startup.sh [TRAJECTORY]
set -euo pipefail
cd "$(dirname "$0")/../.."
series=$(mktemp)
node -e "let x = 0; for (let i = 0; i < 200; i++) { x = 0.5 * x + Math.sin(i * 7.3); console.log(x); }" > "$series"
median() {
  for _ in $(seq 10); do
    s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000))
  done | sort -n | sed -n 5,6p | awk '{ t += $1 } END { printf "%.0f ms\n", t / 2 }'
}
echo "ebt --help: $(median node packages/cli/bin/ebt.js --help)"
echo "ebt stationarity adf: $(median node packages/cli/bin/ebt.js stationarity adf --input "$series")"
if [ $# -gt 0 ]; then echo "ebt detect: $(median node packages/cli/bin/ebt.js detect --trajectory "$1" --criterion mask-distance)"; fi
rm -f "$series"
