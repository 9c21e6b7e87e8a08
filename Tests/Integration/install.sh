#!/usr/bin/env bash
# deploy/install.sh for real, as docs/DEPLOY.md tells an operator to use it: two namespace hosts running
# sshd with keys made for the test, certificates from certs init, install with --no-systemd, coordinator ping
# and a run through the workers it started; reinstalling replaces the worker; a host that cannot be reached
# is named while the others go on; --dry-run only prints. Also checks the systemd unit with systemd-analyze.
# Needs root; the hosts are taken down however it ends.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "install.sh needs root to make network namespaces"; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "install.sh needs openssh-server (scripts/install-packages.sh)"; exit 1; }

netns="$root/deploy/netns-cluster.sh"
export FANOUT_NETNS_DIR="$work/netns"
stop_everything() {
    for pidfile in "$work"/hosts/*/opt/worker.pid "$work"/ssh/sshd-*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    "$netns" down > /dev/null 2>&1 || true
    cleanup
}
trap stop_everything EXIT
cd "$work"

"$netns" up 2 --no-workers > "$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
hosts="$FANOUT_NETNS_DIR/hosts.txt"
certs="$FANOUT_NETNS_DIR/certs"

# An sshd on each host, with a host key and a client key made for this test only.
mkdir -p ssh /run/sshd
ssh-keygen -q -t ed25519 -N '' -f ssh/host_ed25519
ssh-keygen -q -t ed25519 -N '' -f ssh/client_ed25519
cp ssh/client_ed25519.pub ssh/authorized_keys
cat > ssh/sshd_config <<CONFIG
Port 22
HostKey $work/ssh/host_ed25519
AuthorizedKeysFile $work/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
Subsystem sftp internal-sftp
CONFIG
for i in 1 2; do
    ip netns exec "fanout-h$i" /usr/sbin/sshd -f ssh/sshd_config -o "ListenAddress=10.77.0.1$i" -o "PidFile=$work/ssh/sshd-h$i.pid"
done
ssh_options=(--ssh-option "IdentityFile=$work/ssh/client_ed25519" --ssh-option StrictHostKeyChecking=no
    --ssh-option UserKnownHostsFile=/dev/null --ssh-option LogLevel=ERROR --ssh-option ConnectTimeout=3)
for i in 1 2; do
    for _ in $(seq 1 100); do
        ssh -i ssh/client_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
            -o BatchMode=yes "root@10.77.0.1$i" true 2>/dev/null && break
        sleep 0.1
    done
done

install=("$root/deploy/install.sh" "$hosts" --certs "$certs" --binary "$worker" --no-systemd
    --prefix "$work/hosts/{host}/opt" --config-dir "$work/hosts/{host}/etc" --options "--pool threads --size 2"
    "${ssh_options[@]}")

"${install[@]}" --dry-run > dry.out 2>&1
check "--dry-run prints the commands for every host" count_is dry.out '^# 10\.77\.0\.1[12]$' 2
check "--dry-run prints ssh and scp commands" grep -q '^scp ' dry.out
check "--dry-run changes nothing" test ! -e "$work/hosts"

"${install[@]}" > install.out 2>&1 || { cat install.out; }
check "install reports each host ok" count_is install.out '^ok +10\.77\.0\.1[12]$' 2
check "the key is installed 0600" test "$(stat -c %a "$work/hosts/10.77.0.11/etc/tls/worker-key.pem")" = 600
check "the worker runs from the installed copy" grep -q "listening on 0.0.0.0:7420" "$work/hosts/10.77.0.12/opt/worker.out"
"$coordinator" ping --workers "$hosts" --tls-dir "$certs" > ping.out 2>&1
check "coordinator ping reaches both installed workers" count_is ping.out '^10\.77\.0\.1[12]:7420 +host .* threads × 2 ' 2
"$coordinator" primes --workers "$hosts" --tls-dir "$certs" --count 12 --seed 4 > primes.out 2>&1
check "a run goes through the installed workers" contains primes.out "12 in "
check "its verdicts are right" verdicts_right primes.out

first=$(cat "$work/hosts/10.77.0.11/opt/worker.pid")
"${install[@]}" > reinstall.out 2>&1 || true
check "reinstalling reports each host ok" count_is reinstall.out '^ok +10\.77\.0\.1[12]$' 2
check "reinstalling replaces the running worker" bash -c "! kill -0 $first 2>/dev/null && [ \"\$(cat $work/hosts/10.77.0.11/opt/worker.pid)\" != $first ]"
"$coordinator" ping --workers "$hosts" --tls-dir "$certs" > ping2.out 2>&1
check "the replaced workers answer" count_is ping2.out '^10\.77\.0\.1[12]:7420 ' 2

# A worker program of one's own, the example's, installed with --subcommand: its kind runs on the hosts, in
# process pools whose children are that program too.
example="$root/Examples/PiEstimate"
(cd "$example" && swift build) > example-build.log 2>&1 || { tail -20 example-build.log; exit 1; }
pi="$(cd "$example" && swift build --show-bin-path)/pi-estimate"
"$root/deploy/install.sh" "$hosts" --certs "$certs" --binary "$pi" --subcommand worker --no-systemd \
    --prefix "$work/hosts/{host}/opt" --config-dir "$work/hosts/{host}/etc" --options "--pool processes --size 2" \
    "${ssh_options[@]}" > pi-install.out 2>&1 || { cat pi-install.out; }
check "installing a program of one's own reports each host ok" count_is pi-install.out '^ok +10\.77\.0\.1[12]$' 2
"$pi" run --workers "$hosts" --tls-dir "$certs" --samples 400000 --jobs 8 > pi.out 2>&1
check "the installed programs run the example's kind" grep -Eq '^π ≈ 3\.[0-9]+ from 400000 samples in [0-9.]+ s on 2 workers$' pi.out

# A host in the file that does not answer SSH is named; the others are installed all the same.
printf '10.77.0.11\n10.77.0.99\n' > with-missing.txt
"$coordinator" certs init --hosts with-missing.txt --out "$certs" > /dev/null
status=0
"$root/deploy/install.sh" with-missing.txt --certs "$certs" --binary "$worker" --no-systemd \
    --prefix "$work/hosts/{host}/opt" --config-dir "$work/hosts/{host}/etc" "${ssh_options[@]}" > partial.out 2>&1 || status=$?
check "an unreachable host fails the install" test "$status" != 0
check "the unreachable host is named" grep -q '^FAILED  10\.77\.0\.99: ' partial.out
check "the reachable host is installed all the same" grep -qE '^ok +10\.77\.0\.11$' partial.out

# The unit file, with its binary where this build has it.
sed "s|/opt/fanout/bin/worker|$worker|" "$root/deploy/systemd/fanout-worker.service" > fanout-worker.service
check "systemd-analyze verifies the unit" systemd-analyze verify "$work/fanout-worker.service"

finish
