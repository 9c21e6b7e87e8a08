#!/usr/bin/env bash
# Workers joining and leaving a run: three network-namespace hosts from deploy/netns-cluster.sh, a run started
# on two of them, and its hosts file rewritten and sent SIGHUP twice. A host added mid-run gets jobs; a host
# removed gets no job after, finishes the ones it holds, and is not dialled again; every job runs and is logged
# exactly once. Each job appends its input and its host's address to a file, then waits for a gate the test
# opens, so the test knows what runs where at each step: until then no job ends, and each worker holds what a
# worker is sent at first, its 2 slots and 2 more. Needs root; the hosts are taken down however it ends.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
use_netns
cd "$work"

"$netns" up 3 --size 2 --worker-arg --allow-exec > up.log 2>&1 || { cat up.log; exit 1; }
mapfile -t all < "$hosts"
h1=${all[0]%% *} h2=${all[1]%% *} h3=${all[2]%% *}
address() { echo "${1%:*}"; }

# The namespaces share the file system: a job says where it runs by the address of its eth0.
cat > job <<SH
#!/bin/sh
echo "\$1 \$(ip -o -4 addr show dev eth0 | awk '{ sub("/.*", "", \$4); print \$4 }')" >> $work/ran
while [ ! -e $work/go ]; do sleep 0.02; done
SH
chmod +x job
touch ran
ran_on() { grep -c " $(address "$1")\$" ran || true; }
wait_until() { # wait_until SECONDS COMMAND...: polls COMMAND until it succeeds; fails after SECONDS
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ "$SECONDS" -lt "$deadline" ] || return 1; sleep 0.05; done
}

printf '%s\n%s\n' "${all[0]}" "${all[1]}" > run-hosts.txt
seq 1 40 > inputs.txt
"$coordinator" exec --workers run-hosts.txt --tls-dir "$certs" --joblog run.log -- "$work/job" :::: inputs.txt \
    > run.out 2> run.err &
run=$!
pids+=("$run")
check "the run starts on the two hosts listed: 4 jobs wait at the gate, 2 on each" \
    wait_until 60 bash -c "[ \"\$(grep -c . ran)\" -ge 4 ] && [ \"\$(grep -c ' $(address "$h1")\$' ran)\" = 2 ] && [ \"\$(grep -c ' $(address "$h2")\$' ran)\" = 2 ]"

printf '%s\n%s\n%s\n' "${all[0]}" "${all[1]}" "${all[2]}" > run-hosts.txt
kill -HUP "$run"
check "SIGHUP with a host added: the coordinator says it joins" wait_until 30 grep -q "SIGHUP: reloaded run-hosts.txt: 1 joining \[$h3\], 0 leaving" run.err
check "the host added mid-run gets jobs: 2 wait at the gate there" wait_until 60 bash -c "[ \"\$(grep -c ' $(address "$h3")\$' ran)\" = 2 ]"

printf '%s\n%s\n' "${all[0]}" "${all[2]}" > run-hosts.txt
kill -HUP "$run"
check "SIGHUP with a host removed: the coordinator says it leaves" wait_until 30 grep -q "SIGHUP: reloaded run-hosts.txt: 0 joining \[\], 1 leaving \[$h2\]" run.err

printf 'nonsense line\n' > run-hosts.txt
kill -HUP "$run"
check "a hosts file that does not parse is reported and changes nothing" wait_until 30 grep -q "SIGHUP: cannot reload run-hosts.txt" run.err

touch go
status=0
wait "$run" || status=$?
check "the run succeeds" test "$status" = 0
check "the removed host ran only what it held when removed: the 2 it was running and the 2 sent ahead" test "$(ran_on "$h2")" = 4
check "...all of them among the 8 inputs sent before the third host joined" \
    bash -c "[ -z \"\$(awk '\$2 == \"$(address "$h2")\" && \$1 > 8' ran)\" ]"
check "the hosts that stayed and the one added ran the other 36" test "$(( $(ran_on "$h1") + $(ran_on "$h3") ))" = 36
check "every input ran exactly once" bash -c 'diff <(cut -d" " -f1 ran | sort -n) inputs.txt'
check "the job log has each of the 40 jobs exactly once" \
    bash -c '[ "$(awk -F"\t" "NR > 1 { print \$1 }" run.log | sort -n)" = "$(cat inputs.txt)" ]'
check "the job log names the host each job ran on" python3 - run.log ran <<'PY'
import sys
ran = dict(line.split() for line in open(sys.argv[2]))
bad = [(f[0], f[1]) for f in (l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]) if f[1].rsplit(":", 1)[0] != ran[f[0]]]
print("logged on another host than it ran on:", bad[:10]); sys.exit(1 if bad else 0)
PY
check "the removed host's worker said goodbye and was not dialled again" \
    bash -c "[ \"\$(grep -c 'coordinator said hello' \"\$FANOUT_NETNS_DIR\"/h2.log)\" = 1 ]"

finish
