#!/usr/bin/env bash
# `coordinator exec` on local workers, as a GNU Parallel user would run it: outputs, exit codes, signals,
# timeouts, retries, --keep-order, --tag, --results, inputs from :::, :::: and standard input, --transfer, the refusal of a
# worker started without --allow-exec and an allow-list, resuming after the coordinator is killed with SIGKILL,
# and nothing of a killed run left behind.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
cd "$work"

exec_run() { # exec_run NAME ARGS...: runs `coordinator exec ARGS`, stdout to NAME.out, stderr to NAME.err, exit status to NAME.status
    local name=$1; shift
    local status=0
    "$coordinator" exec "$@" > "$name.out" 2> "$name.err" || status=$?
    echo "$status" > "$name.status"
}
status_is() { [ "$(cat "$1.status")" = "$2" ] || { echo "exit status $(cat "$1.status"), want $2"; cat "$1.err"; return 1; }; }
same_lines() { diff <(sort "$1") <(printf '%s\n' "${@:2}" | sort); }

# Inputs from :::, each job's output whole.
exec_run words --local 2 -- echo out ::: a b c
check "::: inputs: each job's output, the input appended" same_lines words.out "out a" "out b" "out c"
check "every job succeeded: exit 0" status_is words 0

printf 'one\ntwo\n' > list.txt
exec_run file --local 2 -k -- echo '{#}' '{}' :::: list.txt
check ":::: FILE: one input per line, in order with -k" diff file.out <(printf '1 one\n2 two\n')
printf 'x.tar.gz\ndir/y.txt\n' | "$coordinator" exec --local 1 -k -- echo '{.}' '{/}' '{//}' '{/.}' > stdin.out
check "standard input, and the replacement strings" diff stdin.out <(printf 'x.tar x.tar.gz . x.tar\ndir/y y.txt dir y\n')

# Exit codes, signals and the exit status that counts failures.
exec_run codes --local 2 -k --tag --shell -- 'echo said {}; exit {}' ::: 0 3 0 5
check "--tag puts the input before each line; -k keeps input order" diff codes.out <(printf '0\tsaid 0\n3\tsaid 3\n0\tsaid 0\n5\tsaid 5\n')
check "the exit status is the number of failed jobs" status_is codes 2
exec_run signal --local 1 --shell -- 'kill -KILL $$' ::: a
check "a job killed by a signal fails and says so" bash -c 'grep -q "killed by signal 9" signal.err && [ "$(cat signal.status)" = 1 ]'
seq 1 120 > many.txt
exec_run capped --local 2 -- false :::: many.txt
check "more than 101 failures exit 101" status_is capped 101

# A timeout kills the command's whole group.
exec_run timeout --local 1 --timeout 1 --shell -- 'sleep 300 & echo $! > bg.pid; wait; : {}' ::: a
check "a job past --timeout fails" bash -c 'grep -q "timeout" timeout.err && [ "$(cat timeout.status)" = 1 ]'
check "its background child was killed with it" bash -c '! kill -0 "$(cat bg.pid)" 2>/dev/null || grep -q "^Z" <(ps -o stat= -p "$(cat bg.pid)")'

# --retries: a job that fails twice then succeeds, counted by a file of its own.
exec_run retries --local 1 --retries 3 --shell -- 'echo x >> tries.{}; [ $(wc -l < tries.{}) -ge 3 ]' ::: r
check "--retries 3 tries a failing job up to three times in all" bash -c '[ "$(wc -l < tries.r)" = 3 ] && [ "$(cat retries.status)" = 0 ]'

# --results
exec_run results --local 1 --results res --shell -- 'echo to-out; echo to-err >&2; exit 4' ::: a
check "--results writes DIR/SEQ/stdout, stderr and exitval" \
    bash -c '[ "$(cat res/1/stdout)" = to-out ] && [ "$(cat res/1/stderr)" = to-err ] && [ "$(cat res/1/exitval)" = 4 ]'

# A value put into a shell line is one word, whatever it holds.
exec_run quoting --local 1 --shell -- 'printf "[%s]\n" {}' ::: "it's; rm -rf nothing" 'a b'
check "--shell quotes each input" same_lines quoting.out "[it's; rm -rf nothing]" "[a b]"

# The job log, in GNU Parallel's format.
exec_run logged --local 2 --joblog gnu.log --shell -- 'exit {}' ::: 0 1 0
check "the job log's header is GNU Parallel's" test "$(head -1 gnu.log)" = "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')"
check "one line per job, with its exit value and times to the millisecond" \
    count_is gnu.log $'^[123]\t127\\.0\\.0\\.1:[0-9]+\t[0-9]+\\.[0-9]{3}\t +[0-9]+\\.[0-9]{3}\t0\t0\t[01]\t0\texit [01]$' 3
exec_run resumed --local 2 --joblog gnu.log --resume-failed --shell -- 'echo again {}' ::: 0 1 0
check "--resume-failed runs again only the failed job" diff resumed.out <(echo "again 1")

# --transfer: a script and its data sent to each worker's run folder, run by a relative path and by {transfer}.
printf '#!/bin/sh\necho "script $1: $(cat words.txt)"\n' > tool.sh
chmod +x tool.sh
printf 'hello there\n' > words.txt
# The local workers make their run folders in the coordinator's TMPDIR, here one of this test's own.
mkdir tmp
TMPDIR=$work/tmp exec_run transfer --local 2 --transfer tool.sh --transfer words.txt -- ./tool.sh ::: a b c
check "--transfer: a sent script runs by a relative path and reads a sent file" \
    same_lines transfer.out "script a: hello there" "script b: hello there" "script c: hello there"
TMPDIR=$work/tmp exec_run transfer_shell --local 1 --transfer tool.sh --transfer words.txt --shell -- \
    'sh {transfer}/tool.sh {} | tr a-z A-Z; echo {transfer}' ::: d
check "{transfer} is the run folder, in a shell line too" \
    bash -c '[ "$(head -1 transfer_shell.out)" = "SCRIPT D: HELLO THERE" ] && grep -qE "^$0/tmp/fanout-run-[0-9]+-[A-Za-z0-9]{6}$" transfer_shell.out' "$work"
check "the run folders are gone once the run has ended" bash -c '! ls -d tmp/fanout-run-* 2>/dev/null'
exec_run transfer_missing --local 1 --transfer no-such-tool.sh -- true ::: a
check "a file that cannot be sent is named, and nothing runs" \
    bash -c 'grep -q "cannot send a file to the workers: cannot open no-such-tool.sh: No such file" transfer_missing.err && [ "$(cat transfer_missing.status)" != 0 ]'

# The shipped worker refuses commands without --allow-exec, once per worker; an allow-list lets only its own.
printf '127.0.0.1\n' > hosts-for-certs.txt
"$coordinator" certs init --hosts hosts-for-certs.txt --out certs > /dev/null
start_worker() { # start_worker NAME ARGS...: a worker on a free port, its address in NAME.address
    local name=$1; shift
    "$worker" --listen 127.0.0.1:0 --tls-dir certs/127.0.0.1 --size 2 "$@" > "$name.wout" 2> "$name.werr" &
    pids+=($!)
    for _ in $(seq 1 400); do grep -q '^listening on ' "$name.wout" && break; sleep 0.05; done
    sed -n 's/^listening on //p' "$name.wout" > "$name.address"
}
start_worker plain
start_worker listed --allow-exec=/bin/echo
cat plain.address > plain-hosts.txt
exec_run refused --workers plain-hosts.txt --tls-dir certs -- echo hi ::: 1 2 3 4
check "a worker without --allow-exec runs no command" status_is refused 4
check "the refusal names the flag, once for the worker" count_is refused.err 'refuses commands: .*--allow-exec' 1
exec_run refused_files --workers plain-hosts.txt --tls-dir certs --transfer tool.sh -- ./tool.sh ::: 1
check "a worker without --allow-exec takes no files: it is unreachable for the run, naming the flag" \
    bash -c 'grep -q "takes no files (tool.sh).*--allow-exec" refused_files.err && [ "$(cat refused_files.status)" != 0 ] && [ ! -s refused_files.out ]'
cat listed.address > listed-hosts.txt
exec_run listed --workers listed-hosts.txt --tls-dir certs -- echo allowed ::: 1
exec_run unlisted --workers listed-hosts.txt --tls-dir certs -- true ::: 1
check "an allow-listed executable runs" bash -c '[ "$(cat listed.out)" = "allowed 1" ]'
check "one not on the list is refused, naming the list" bash -c 'grep -q -- "--allow-exec=/bin/echo" unlisted.err && [ "$(cat unlisted.status)" = 1 ]'

# Killed with SIGKILL mid-run and started again with --resume: every input done, none run more often than the
# slots that were running when the coordinator died allow. Each job appends its input to a file: the count is
# of real side effects.
seq 1 60 > resume-inputs.txt
"$coordinator" exec --local 2 --size 2 --joblog resume.log --shell -- 'echo {} >> side.txt; sleep 0.1' :::: resume-inputs.txt \
    > first.out 2> first.err &
first=$!
logged_jobs() { local n; n=$(grep -c $'^[0-9]' resume.log 2>/dev/null) || true; echo "${n:-0}"; }
for _ in $(seq 1 600); do [ "$(logged_jobs)" -ge 15 ] && break; sleep 0.05; done
check "the first run logged jobs before it was killed" test "$(logged_jobs)" -ge 15
workers_of_first=$(pgrep -P "$first" | tr '\n' ' ')
kill -KILL "$first"
wait "$first" 2>/dev/null || true
cp resume.log first-run.log
all_gone() { for pid in $workers_of_first; do for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done; ! kill -0 "$pid" 2>/dev/null || return 1; done; }
check "the local workers of a coordinator killed with SIGKILL exit too" all_gone
exec_run second --local 2 --size 2 --joblog resume.log --resume --shell -- 'echo {} >> side.txt; sleep 0.1' :::: resume-inputs.txt
check "the resumed run succeeds" status_is second 0
check "every input was run" bash -c 'diff <(sort -n -u side.txt) resume-inputs.txt'
check "no input ran more often than the 4 slots that were running allow" \
    bash -c '[ "$(sort side.txt | uniq -d | wc -l)" -le 4 ] && [ "$(sort side.txt | uniq -c | sort -rn | head -1 | awk "{print \$1}")" -le 2 ]'
check "a job that finished and was logged never ran again" \
    python3 -c '
import collections, sys
logged = {line.split("\t")[0] for line in open("first-run.log").read().splitlines()[1:] if line}
counts = collections.Counter(open("side.txt").read().split())
again = sorted(int(s) for s in logged if counts[s] != 1)
print("logged by the first run, yet run again:", again); sys.exit(bool(again))'
check "the killed run left no temporary folder behind" bash -c "! ls -d /tmp/fanout-local-$first-* 2>/dev/null"

finish
