#!/usr/bin/env bash
# Stop the single-node SLURM started by start.sh: cancel jobs, stop slurmctld/slurmd, then munged.
set -u
scancel --user="$(id -un)" >/dev/null 2>&1 || true
scontrol shutdown >/dev/null 2>&1 || true
for _ in $(seq 1 25); do pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break; sleep 0.2; done
pkill -x slurmstepd 2>/dev/null; pkill -x slurmd 2>/dev/null; pkill -x slurmctld 2>/dev/null
for f in /run/munge/munged.pid /var/run/munge/munged.pid; do
  [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null && break
done
exit 0
