#!/usr/bin/env bash
# Stops what .ci/slurm-up.sh started, by the pid files it wrote: cancels the remaining jobs,
# then stops slurmd, slurmctld and (if slurm-up started it) munged.
set -uo pipefail
dir=${DPNAS_SLURM_DIR:-/tmp/dpnas-slurm}
say() { echo "[slurm-down] $*" >&2; }

stop() {  # <pidfile> <command name>
  [ -s "$1" ] || return 0
  local p; p=$(cat "$1")
  if kill -0 "$p" 2>/dev/null && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ]; then
    kill -TERM "$p"
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p"
    say "stopped $2 ($p)"
  fi
  rm -f "$1"
}

if [ -s "$dir/run/slurmctld.pid" ]; then
  ids=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
  if [ -n "${ids// /}" ]; then
    say "cancelling $ids"
    scancel $ids 2>/dev/null || true
    for _ in $(seq 1 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi
stop "$dir/run/slurmd.pid" slurmd
stop "$dir/run/slurmctld.pid" slurmctld
stop "$dir/run/munged.pid" munged
exit 0
