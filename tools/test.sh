#!/usr/bin/env bash
# The test command of README.md and .ci/run: every project that changed since $NX_BASE, which defaults to
# the repository's root commit. The root commit is empty, so on a fresh clone every project is tested.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${NX_BASE:-$(git rev-list --max-parents=0 HEAD | tail -n 1)}
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# Three test tasks share the machine's cores: OpenMP threads that sleep while they wait (instead of spinning)
# keep the native backend's suites from stalling one another (results are the same; README, Speed).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
# The tests' run folders (a few GB over the suite) go to a folder of this run's own, removed when every test
# passed and kept, with its path printed, when one failed; EBT_KEEP_TEST_FILES=1 keeps it either way.
TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/ebt-tests-XXXXXX")
cleanup() {
  local status=$?
  if [ "$status" -eq 0 ] && [ -z "${EBT_KEEP_TEST_FILES:-}" ]; then
    rm -rf "$TEST_TMPDIR"
  else
    echo "The tests' files are kept in $TEST_TMPDIR" >&2
  fi
}
trap cleanup EXIT
export TMPDIR=$TEST_TMPDIR
npx tsc -p tsconfig.json --noEmit
npx nx affected -t lint test test-native test-webgpu --parallel=3 --base="$BASE" --head=HEAD --outputStyle=stream "$@"
