#!/usr/bin/env bash
# Starts a one-node Slurm cluster for ebt's tests: munged, slurmctld and slurmd as root, all state, spool and
# logs under $EBT_SLURM_DIR (default /tmp/ebt-slurm). Prints the SLURM_CONF to export. Needs Debian's
# slurm-wlm and munge. tools/slurm/stop.sh stops it and leaves nothing running.
set -euo pipefail
DIR=${EBT_SLURM_DIR:-/tmp/ebt-slurm}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"/{spool/ctld,spool/d,log,run,munge}
chmod 700 "$DIR/munge"
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
sed -e "s#@DIR@#$DIR#g" -e "s#@HOST@#$HOST#g" -e "s#@CPUS@#$CPUS#g" -e "s#@MEM@#$MEM#g" "$HERE/slurm.conf.in" > "$DIR/slurm.conf"
# munge: a fresh key, a socket of our own (no system service needed)
if [ ! -f "$DIR/munge/munge.key" ]; then dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$DIR/munge/munge.key"; fi
if ! pgrep -f "munged.*$DIR/munge" > /dev/null; then
  munged --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" --force
fi
export SLURM_CONF="$DIR/slurm.conf"
pgrep -f "slurmctld -f $DIR/slurm.conf" > /dev/null || slurmctld -f "$DIR/slurm.conf"
pgrep -f "slurmd -f $DIR/slurm.conf" > /dev/null || slurmd -f "$DIR/slurm.conf"
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2> /dev/null | grep -qE '^(idle|mixed|allocated)'; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.5
done
echo "tools/slurm/start.sh: the node did not come up; see $DIR/log" >&2
exit 1
