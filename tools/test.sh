#!/usr/bin/env bash
# The test command of README.md and .ci/run: every project that changed since $NX_BASE, which defaults to
# the repository's root commit. The root commit is empty, so on a fresh clone every project is tested.
# The end-to-end suites (tools/e2e: runs killed and resumed, the Slurm executor) start at once beside them:
# Nx would start a project without dependents last, and they are the longest.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${NX_BASE:-$(git rev-list --max-parents=0 HEAD | tail -n 1)}
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
npx tsc -p tsconfig.json --noEmit
e2e_log=$(mktemp)
(cd tools/e2e && npx jest --ci -c jest.config.js) >"$e2e_log" 2>&1 &
e2e=$!
status=0
npx nx affected -t lint test test-native --base="$BASE" --head=HEAD --outputStyle=stream "$@" || status=$?
wait "$e2e" || status=$?
sed 's/^/e2e: /' "$e2e_log"
rm -f "$e2e_log"
exit "$status"
