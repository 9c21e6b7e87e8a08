#!/usr/bin/env bash
# `coordinator exec` on hosts: three network-namespace hosts from deploy/netns-cluster.sh, brought up three
# times with different worker options. Workers started without --allow-exec refuse, once per worker; with an
# allow-list only the listed executable runs; with --allow-exec every host runs jobs, each job's output and job
# log line naming the host it ran on and the exit status counting the failures, a timeout kills the command's
# whole process group on its host, files sent with --transfer reach every host's run folder and are removed with
# it, and a coordinator killed with SIGKILL mid-run and started again with
# --resume leaves no input undone and none run twice but those its slots were running.
# Needs root; the hosts are taken down however it ends.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
use_netns
cd "$work"

up() { # up ARGS...: three hosts whose workers run two jobs at once, each worker given ARGS
    "$netns" up 3 --size 2 "$@" > up.log 2>&1 || { cat up.log; exit 1; }
}
exec_run() { # exec_run NAME ARGS...: runs `coordinator exec` on the hosts, stdout to NAME.out, stderr to NAME.err, exit status to NAME.status
    local name=$1; shift
    local status=0
    "$coordinator" exec --workers "$hosts" --tls-dir "$certs" "$@" > "$name.out" 2> "$name.err" || status=$?
    echo "$status" > "$name.status"
}
status_is() { [ "$(cat "$1.status")" = "$2" ] || { echo "exit status $(cat "$1.status"), want $2"; cat "$1.err"; return 1; }; }
# The hosts named in a job log's Host column, one a line, sorted.
log_hosts() { awk -F'\t' 'NR > 1 { print $2 }' "$1" | sort -u; }
every_host_in() { diff <(log_hosts "$1") <(sort "$hosts"); }

# The namespaces share the file system, the process table and the host name: what tells them apart is the
# address of their eth0. A job runs this to say where it runs.
cat > address <<'SH'
#!/bin/sh
ip -o -4 addr show dev eth0 | awk '{ sub("/.*", "", $4); print $4 }'
SH
chmod +x address

# Workers as shipped, without --allow-exec: every job refused, told once per worker.
up
exec_run refused -- echo hi ::: 1 2 3 4 5 6 7 8 9 10 11 12
check "workers without --allow-exec run no command: all 12 jobs fail" status_is refused 12
check "the refusal names the flag, once for each of the 3 workers" count_is refused.err 'refuses commands: .*--allow-exec' 3
for host in 10.77.0.11 10.77.0.12 10.77.0.13; do
    check "$host:7420 is told as refusing" grep -q "^coordinator: $host:7420 refuses commands" refused.err
done
check "no worker ran a command" bash -c '! grep -l "running a command" "$FANOUT_NETNS_DIR"/h*.log'

# An allow-list: the listed executable runs on every host, another is refused naming the list, and so is the
# shell, which the list does not allow.
up --worker-arg --allow-exec=/usr/bin/echo
exec_run listed --joblog listed.log -- echo allowed ::: 1 2 3 4 5 6 7 8 9 10 11 12
check "an allow-listed executable runs: exit 0" status_is listed 0
check "each of its jobs printed its output" diff <(sort -V listed.out) <(for i in $(seq 1 12); do echo "allowed $i"; done)
check "the allow-listed jobs ran on every host" every_host_in listed.log
check "each host's worker logged the commands it ran" \
    bash -c '[ "$(grep -l "exec.executable=/usr/bin/echo .*running a command" "$FANOUT_NETNS_DIR"/h[123].log | wc -l)" = 3 ]'
exec_run unlisted -- true ::: 1 2 3
check "an executable not on the list is refused: 3 jobs fail" status_is unlisted 3
check "its refusal names the executable and the list" contains unlisted.err "/usr/bin/true is not allowed on this worker: --allow-exec=/usr/bin/echo"
exec_run shell --shell -- 'echo {}' ::: 1
check "--shell is refused when the list does not allow the shell" \
    bash -c '[ "$(cat shell.status)" = 1 ] && [ ! -s shell.out ] && grep -q -- "--allow-exec=/usr/bin/echo" shell.err'

# --allow-exec: outputs, exit codes and the job log across the hosts.
up --worker-arg --allow-exec
exec_run codes --joblog codes.log --shell -- "echo {} ran on \$($work/address); sleep 0.3; exit \$(({} % 4 == 0))" \
    ::: 1 2 3 4 5 6 7 8 9 10 11 12
check "the exit status is the number of failed jobs, on whichever host: 3" status_is codes 3
check "every job printed its output" count_is codes.out '^([1-9]|1[0-2]) ran on 10\.77\.0\.1[1-3]$' 12
check "the job log has a line per job, each on a host of the hosts file" \
    count_is codes.log $'^([1-9]|1[0-2])\t10\\.77\\.0\\.1[1-3]:7420\t[0-9]+\\.[0-9]{3}\t +[0-9]+\\.[0-9]{3}\t0\t[0-9]+\t[01]\t0\t' 12
check "every host ran jobs" every_host_in codes.log
check "each job ran on the host its job log line names, and exited as its input says" python3 - codes.log codes.out <<'PY'
import sys
said = {}
for line in open(sys.argv[2]):
    number, _, _, address = line.split()
    said[number] = address
bad = 0
for line in open(sys.argv[1]).read().splitlines()[1:]:
    seq, host, _, _, _, _, exitval = line.split("\t")[:7]
    if said.get(seq) != host.rsplit(":", 1)[0] or exitval != str(int(int(seq) % 4 == 0)):
        print("job", seq, "logged on", host, "exit", exitval, "but said it ran on", said.get(seq)); bad += 1
sys.exit(1 if bad else 0)
PY

# --transfer: a script sent to every host's run folder and run there by a relative path; each worker removes its
# folder when the run's connection ends, and logs that end after the removal.
cat > where.sh <<'SH'
#!/bin/sh
echo "$1 on $(ip -o -4 addr show dev eth0 | awk '{ sub("/.*", "", $4); print $4 }') in $(basename "$(pwd)")"
SH
chmod +x where.sh
closed_before=$(cat "$FANOUT_NETNS_DIR"/h[123].log | grep -c "connection closed" || true)
exec_run transfer --joblog transfer.log --transfer where.sh -- ./where.sh ::: 1 2 3 4 5 6 7 8 9 10 11 12
check "--transfer: the sent script ran every job: exit 0" status_is transfer 0
check "each job ran in its worker's run folder" count_is transfer.out '^([1-9]|1[0-2]) on 10\.77\.0\.1[1-3] in fanout-run-[0-9]+-[A-Za-z0-9]{6}$' 12
check "every host ran the sent script" every_host_in transfer.log
check "one run folder per worker" test "$(awk '{ print $3, $5 }' transfer.out | sort -u | wc -l)" = 3
check "each worker logged the file it received, with the coordinator's certificate subject" \
    bash -c '[ "$(grep -l "coordinator.subject=CN=.*file.path=/.*/fanout-run-[0-9]*-[A-Za-z0-9]*/where.sh.*received a file" "$FANOUT_NETNS_DIR"/h[123].log | wc -l)" = 3 ]'
all_closed() { # the 3 connections of the run have ended on their workers
    for _ in $(seq 1 200); do
        [ "$(cat "$FANOUT_NETNS_DIR"/h[123].log | grep -c "connection closed")" -ge $((closed_before + 3)) ] && return 0
        sleep 0.05
    done
    return 1
}
check "each worker saw the run's connection end" all_closed
no_worker_folders() { # none of this test's workers has a run folder left
    local kind pid
    while read -r kind pid; do
        [ "$kind" != pid ] || ! ls -d /tmp/fanout-run-"$pid"-* 2>/dev/null || return 1
    done < "$FANOUT_NETNS_DIR/state"
}
check "the hosts' run folders are gone" no_worker_folders

# A timeout kills the command's whole process group on its host: the namespaces share the process table, so
# the background child each job started can be looked for from here.
exec_run timeout --joblog timeout.log --timeout 1 --shell -- "sleep 300 & echo \$! > $work/bg.{}; wait" ::: a b c
check "the 3 jobs past --timeout fail" bash -c '[ "$(grep -c "timeout" timeout.err)" = 3 ] && [ "$(cat timeout.status)" = 3 ]'
check "the job log says each was killed" count_is timeout.log $'^[123]\t10\\.77\\.0\\.1[1-3]:7420\t.*\t-1\t9\t' 3
dead() { # dead PIDFILE...: each pid has exited (or is a zombie no one reaps), waiting up to 5 seconds
    local file pid
    for file in "$@"; do
        [ -s "$file" ] || { echo "$file is missing: the job never started its child"; return 1; }
        pid=$(cat "$file")
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            grep -q '^Z' <(ps -o stat= -p "$pid") && break
            sleep 0.05
        done
        ! kill -0 "$pid" 2>/dev/null || grep -q '^Z' <(ps -o stat= -p "$pid") || { echo "$file: $pid still runs"; return 1; }
    done
}
check "each job's background child was killed with it" dead bg.a bg.b bg.c

# Killed with SIGKILL mid-run and started again with --resume. Each job appends its input and its host's
# address to side.txt: the count is of real side effects, on the hosts.
seq 1 120 > inputs.txt
line="echo {} \$($work/address) >> $work/side.txt; sleep 0.2"
"$coordinator" exec --workers "$hosts" --tls-dir "$certs" --joblog resume.log --shell -- "$line" :::: inputs.txt \
    > first.out 2> first.err &
first=$!
pids+=("$first")
logged_jobs() { local n; n=$(grep -c $'^[0-9]' resume.log 2>/dev/null) || true; echo "${n:-0}"; }
for _ in $(seq 1 600); do [ "$(logged_jobs)" -ge 30 ] && break; sleep 0.05; done
check "the first run logged jobs before it was killed" test "$(logged_jobs)" -ge 30
kill -KILL "$first"
wait "$first" 2>/dev/null || true
cp resume.log first-run.log
check "the first run was killed with jobs still to run" test "$(grep -c $'^[0-9]' first-run.log)" -lt 120
workers_alive() { while read -r kind pid; do [ "$kind" != pid ] || kill -0 "$pid" || return 1; done < "$FANOUT_NETNS_DIR/state"; }
check "the workers on the hosts outlive their coordinator" workers_alive
exec_run second --joblog resume.log --resume --shell -- "$line" :::: inputs.txt
check "the resumed run succeeds" status_is second 0
check "every input was run" bash -c 'diff <(cut -d" " -f1 side.txt | sort -n -u) inputs.txt'
check "no input ran more often than the 6 slots that were running allow" \
    bash -c '[ "$(cut -d" " -f1 side.txt | sort | uniq -d | wc -l)" -le 6 ] && [ "$(cut -d" " -f1 side.txt | sort | uniq -c | sort -rn | head -1 | awk "{print \$1}")" -le 2 ]'
check "a job that finished and was logged never ran again" \
    python3 -c '
import collections, sys
logged = {line.split("\t")[0] for line in open("first-run.log").read().splitlines()[1:] if line}
counts = collections.Counter(line.split()[0] for line in open("side.txt"))
again = sorted(int(s) for s in logged if counts[s] != 1)
print("logged by the first run, yet run again:", again); sys.exit(bool(again))'
check "the job log has each of the 120 jobs exactly once" \
    bash -c '[ "$(awk -F"\t" "NR > 1 { print \$1 }" resume.log | sort -n | uniq)" = "$(cat inputs.txt)" ] && [ "$(wc -l < resume.log)" = 121 ]'
check "each logged job left its side effect on the host its job log line names" python3 - resume.log side.txt <<'PY'
import collections, sys
where = collections.defaultdict(set)
for line in open(sys.argv[2]):
    number, address = line.split()
    where[number].add(address)
bad = [line.split("\t")[:2] for line in open(sys.argv[1]).read().splitlines()[1:]
       if line.split("\t")[1].rsplit(":", 1)[0] not in where[line.split("\t")[0]]]
print("logged on a host that has no side effect of it:", bad[:10]); sys.exit(1 if bad else 0)
PY
check "the resumed run used every host" every_host_in <(sed -n 1p resume.log; sed -n "$(( $(grep -c $'^[0-9]' first-run.log) + 2 )),\$p" resume.log)

finish
