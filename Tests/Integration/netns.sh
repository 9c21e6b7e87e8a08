#!/usr/bin/env bash
# Several hosts over a bridge: three network-namespace hosts and a flagserver host from
# deploy/netns-cluster.sh, the default workload over the bridge with every job checked and every host used,
# then one host cut off (its link set down) in the middle of a run, with every job still resolved exactly once.
# Needs root; the hosts are taken down however it ends.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
use_netns

"$netns" up 3 --flagserver --delay-ms 300 > "$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
site="http://10.77.0.200:8080/wp-content/uploads/Flag_of_{}.svg"
cd "$work"
check "up writes a hosts file with three hosts" count_is "$hosts" '^10\.77\.0\.1[1-3]:7420$' 3

"$coordinator" --workers "$hosts" --tls-dir "$certs" --count 30 --seed 5 --base-url "$site" --dest "$work/flags" \
    > run.out 2> run.err || echo "exit $?" >> run.out
check "the run over the bridge exits 0" bash -c '! grep -q "^exit" run.out'
check "30 numbers are checked" count_is run.out '^ +[0-9]+ \| [p ] \| [0-9.]+ \| 10\.77\.0\.1[1-3]:7420$' 30
check "every prime verdict is right" verdicts_right run.out
check "every flag is downloaded" contains run.out "195 downloaded in "
check "every saved flag is the served file" flags_identical "$work/flags" 195
for host in 10.77.0.11 10.77.0.12 10.77.0.13; do
    check "$host ran jobs" grep -q "$host:7420" run.out
done

# Cut one host off once it has answered, with many flags still to come.
"$coordinator" flags --workers "$hosts" --tls-dir "$certs" --base-url "$site" --dest "$work/cut" --heartbeat-timeout 2 \
    > cut.out 2> cut.err &
run=$!
for _ in $(seq 1 600); do grep -q '(10.77.0.12:7420)$' cut.out && break; sleep 0.05; done
check "the host to cut has answered before the cut" grep -q '(10.77.0.12:7420)$' cut.out
ip -n fanout-h2 link set eth0 down
status=0
wait "$run" || status=$?
check "the run with a host cut off exits 0" test "$status" = 0
check "every flag is still downloaded" contains cut.out "195 downloaded in "
check "each country is reported exactly once" bash -c \
    "[ \"\$(grep -E '\\(10\\.77\\.0\\.1[1-3]:7420\\)$' cut.out | sed 's/ (.*//' | sort | uniq -d | wc -l)\" = 0 ] && [ \"\$(grep -cE '\\(10\\.77\\.0\\.1[1-3]:7420\\)$' cut.out)\" = 195 ]"
check "the cut host is reported lost" grep -q 'worker=10.77.0.12:7420.*worker lost\|worker lost.*10.77.0.12:7420' cut.err
check "every flag saved after the cut is the served file" flags_identical "$work/cut" 195

finish
