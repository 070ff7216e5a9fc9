#!/usr/bin/env bash
# Brings up a private single-node Slurm cluster (munge + slurmctld + slurmd) on this machine,
# without systemd, for the Slurm integration test. Needs root. Idempotent: installs the Debian
# packages when missing, writes the config, starts what is not running, waits until the node
# accepts jobs, and prints the node name.
#   DPNAS_SLURM_DIR  state, spool, logs and pid files (default /tmp/dpnas-slurm)
#   DPNAS_SLURM_WAIT seconds to wait for the node (default 60)
# Facts this relies on: clients read /etc/slurm/slurm.conf; without DefMemPerCPU a job asks for
# the whole node's memory and jobs run one at a time; without slurmdbd there is no sacct, so
# finished jobs are read with scontrol (kept MinJobAge seconds) and jobcomp/filetxt keeps a log.
set -euo pipefail

dir=${DPNAS_SLURM_DIR:-/tmp/dpnas-slurm}
wait_s=${DPNAS_SLURM_WAIT:-60}
node=$(hostname -s)
conf=/etc/slurm/slurm.conf
say() { echo "[slurm-up] $*" >&2; }

# running <pidfile> <command name>: the pid in the file is alive and is that program
running() {
  [ -s "$1" ] || return 1
  local p; p=$(cat "$1")
  kill -0 "$p" 2>/dev/null && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ]
}

if [ "$(id -u)" != 0 ]; then say "needs root"; exit 1; fi

missing=0
for c in slurmctld slurmd sbatch munged; do command -v "$c" >/dev/null || missing=1; done
if [ $missing = 1 ]; then
  say "installing slurmctld slurmd slurm-client munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=120 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >&2
fi

mkdir -p "$dir"/{state,spool,log,run}

# munge: one key, one daemon (only started, and later stopped, by us if none runs)
if [ ! -s /etc/munge/munge.key ]; then
  say "creating the munge key"
  mungekey --create --keyfile=/etc/munge/munge.key --force
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 755 /run/munge
if ! running /run/munge/munged.pid munged; then
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 1 50); do running /run/munge/munged.pid munged && break; sleep 0.1; done
  cp /run/munge/munged.pid "$dir/run/munged.pid"
fi
munge -n | unmunge >/dev/null || { say "munge does not work"; exit 1; }

# the node line (CPUs, memory) as slurmd sees this machine
nodeline=$(slurmd -C | head -n 1)
mkdir -p /etc/slurm
cat > "$dir/slurm.conf" <<CONF
ClusterName=dpnas-ci
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
$nodeline NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
if ! cmp -s "$dir/slurm.conf" "$conf"; then
  cp "$dir/slurm.conf" "$conf"
  if running "$dir/run/slurmctld.pid" slurmctld || running "$dir/run/slurmd.pid" slurmd; then
    say "configuration changed: reconfiguring"
    scontrol reconfigure >&2 || true
  fi
fi

running "$dir/run/slurmctld.pid" slurmctld || { say "starting slurmctld"; slurmctld; }
running "$dir/run/slurmd.pid" slurmd || { say "starting slurmd"; slurmd; }

deadline=$((SECONDS + wait_s))
state=""
while [ $SECONDS -lt $deadline ]; do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
  case "$state" in
    idle|mixed|allocated|completing) break ;;
    down*|drain*) scontrol update NodeName="$node" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.2
done
case "$state" in
  idle|mixed|allocated|completing) say "node $node is $state" ;;
  *) say "node $node is not ready (state '$state'); logs in $dir/log"; exit 1 ;;
esac
echo "$node"
