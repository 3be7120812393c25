#!/usr/bin/env bash
# Stops the cluster of tools/slurm/start.sh: its jobs, slurmd, slurmctld and munged; state stays in $EBT_SLURM_DIR.
set -uo pipefail
DIR=${EBT_SLURM_DIR:-/tmp/ebt-slurm}
export SLURM_CONF="$DIR/slurm.conf"
scancel --user="$(id -un)" 2> /dev/null
pkill -f "slurmd -f $DIR/slurm.conf"
pkill -f "slurmctld -f $DIR/slurm.conf"
pkill -f "munged.*$DIR/munge"
for _ in $(seq 1 20); do pgrep -f "$DIR" > /dev/null || exit 0; sleep 0.25; done
pkill -9 -f "$DIR"
exit 0
