#!/usr/bin/env bash
# Several Fanout hosts on one machine, as Linux network namespaces joined by a bridge.
#
#   deploy/netns-cluster.sh up N [--pool threads|processes] [--size S] [--flagserver] [--delay-ms D]
#                                [--no-workers] [--worker-arg ARG]… [--subnet A.B.C] [--dir DIR]
#   deploy/netns-cluster.sh down [--dir DIR]
#
# `up` makes namespaces fanout-h1 … fanout-hN with addresses A.B.C.11 … on a /24 of their own (default
# 10.77.0.0/24), joined by the bridge fanout0, which holds A.B.C.1 in the root namespace: the coordinator
# reaches the hosts directly and no packet for the /24 leaves the machine. It refuses a /24 that is routed
# anywhere else. It makes certificates for the hosts with `coordinator certs init`, starts a worker in each
# (unless --no-workers), waits for each to print its listening line, and writes DIR/hosts.txt (default DIR:
# /tmp/fanout-netns). Each --worker-arg ARG is passed to every worker after its own options, in order: for
# instance --worker-arg --allow-exec, or --worker-arg --allow-exec=/usr/bin/gzip, lets `coordinator exec` run
# commands on the hosts. With --flagserver a namespace fanout-flags at A.B.C.200 runs flagserver on port 8080.
# `down` stops every process and removes every namespace and interface `up` made, also after a failed `up`.
# Running `up` twice, or `down` with nothing up, is harmless. Needs root and iproute2.
set -euo pipefail

usage() { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "netns-cluster: $*" >&2; exit 1; }

command=${1:-}
[ -n "$command" ] || usage
shift

count=0
pool=threads
size=""
flagserver=no
delay_ms=100
workers=yes
worker_args=()
subnet=10.77.0
dir=${FANOUT_NETNS_DIR:-/tmp/fanout-netns}
if [ "$command" = up ]; then
    count=${1:-}
    [[ "$count" =~ ^[1-9][0-9]?$ ]] && [ "$count" -le 80 ] || die "up needs a number of hosts from 1 to 80, not \"$count\""
    shift
fi
while [ $# -gt 0 ]; do
    case "$1" in
        --pool) pool=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --flagserver) flagserver=yes; shift ;;
        --delay-ms) delay_ms=$2; shift 2 ;;
        --no-workers) workers=no; shift ;;
        --worker-arg) worker_args+=("$2"); shift 2 ;;
        --subnet) subnet=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
[[ "$subnet" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--subnet takes the first three octets, as 10.77.0, not \"$subnet\""
[ "$pool" = threads ] || [ "$pool" = processes ] || die "--pool is threads or processes, not \"$pool\""

[ "$(id -u)" -eq 0 ] || die "must run as root: it makes network namespaces and interfaces"
command -v ip >/dev/null || die "the ip command is missing: install iproute2 (apt-get install iproute2)"

bridge=fanout0
state=$dir/state

# Everything `up` made is listed in the state file as it is made, so `down` undoes exactly that.
record() { echo "$*" >> "$state"; }

down() {
    [ -f "$state" ] || return 0
    # Processes first (SIGTERM lets workers drain), then namespaces, then the bridge.
    local pids=()
    while read -r kind value; do [ "$kind" = pid ] && pids+=("$value"); done < "$state"
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    while read -r kind value; do
        case "$kind" in
            netns) ip netns del "$value" 2>/dev/null || true ;;
            link) ip link del "$value" 2>/dev/null || true ;;
        esac
    done < "$state"
    rm -rf "$dir"
}

if [ "$command" = down ]; then
    down
    echo "down"
    exit 0
fi
[ "$command" = up ] || usage

# The binaries, from the build beside this script unless FANOUT_BIN says otherwise.
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FANOUT_BIN:-$(cd "$root" && swift build --show-bin-path)}
for tool in coordinator worker flagserver; do
    [ -x "$bin/$tool" ] || die "$bin/$tool is missing: run swift build first (or set FANOUT_BIN)"
done

down
# Interfaces or namespaces of ours with no record here belong to a cluster brought up with another --dir.
strays=$( { ip -o link show "$bridge" 2>/dev/null | cut -d: -f2; ip netns list 2>/dev/null | grep -oE '^fanout-[a-z0-9]+'; } | tr -d ' ' | tr '\n' ' ' || true)
[ -z "$strays" ] || die "already present with no record in $dir: $strays. Another cluster is up with another --dir (or FANOUT_NETNS_DIR): take it down with that, or by hand (ip link del $bridge; ip netns del NAME)."
mkdir -p "$dir"
: > "$state"
trap 'status=$?; if [ $status -ne 0 ]; then echo "netns-cluster: up failed; taking down what it made" >&2; down; fi' EXIT

# Refuse a /24 that any route or address already covers.
python3 - "$subnet" "$bridge" <<'PY' || die "$subnet.0/24 is already in use on this machine; choose another with --subnet"
import ipaddress, subprocess, sys
ours = ipaddress.ip_network(sys.argv[1] + ".0/24")
routes = subprocess.run(["ip", "-4", "-o", "route", "show", "table", "all"], capture_output=True, text=True).stdout
addresses = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True).stdout
for line in routes.splitlines():
    words = line.split()
    if not words or words[0] == "default":
        continue
    target = words[1] if words[0] in ("local", "broadcast", "unicast", "multicast", "anycast") else words[0]
    try:
        if ipaddress.ip_network(target, strict=False).overlaps(ours) and f"dev {sys.argv[2]} " not in line + " ":
            print("route:", line); sys.exit(1)
    except ValueError:
        pass
for line in addresses.splitlines():
    words = line.split()
    if "inet" in words:
        address = ipaddress.ip_interface(words[words.index("inet") + 1])
        if address.network.overlaps(ours):
            print("address:", line); sys.exit(1)
PY

ip link add "$bridge" type bridge
record link "$bridge"
ip addr add "$subnet.1/24" dev "$bridge"
ip link set "$bridge" up

add_host() { # add_host NAMESPACE ADDRESS
    local namespace=$1 address=$2
    ip netns add "$namespace"
    record netns "$namespace"
    ip link add "$namespace" type veth peer name eth0 netns "$namespace"
    record link "$namespace"
    ip link set "$namespace" master "$bridge" up
    ip -n "$namespace" addr add "$address/24" dev eth0
    ip -n "$namespace" link set eth0 up
    ip -n "$namespace" link set lo up
}

wait_for_listening() { # wait_for_listening FILE PID NAME
    for _ in $(seq 1 600); do
        grep -q '^listening on ' "$1" && return 0
        kill -0 "$2" 2>/dev/null || die "$3 exited before it was listening; see ${1%.out}.log"
        sleep 0.05
    done
    die "$3 did not print its listening line within 30 seconds; see ${1%.out}.log"
}

addresses=()
for i in $(seq 1 "$count"); do
    addresses+=("$subnet.$((10 + i))")
    add_host "fanout-h$i" "$subnet.$((10 + i))"
done
printf '%s\n' "${addresses[@]}" > "$dir/hosts-for-certs.txt"
"$bin/coordinator" certs init --hosts "$dir/hosts-for-certs.txt" --out "$dir/certs" > /dev/null

: > "$dir/hosts.txt"
for i in $(seq 1 "$count"); do
    address=${addresses[$((i - 1))]}
    echo "$address:7420" >> "$dir/hosts.txt"
    [ "$workers" = yes ] || continue
    options=(--listen "$address:7420" --tls-dir "$dir/certs/$address" --pool "$pool")
    [ -n "$size" ] && options+=(--size "$size")
    options+=("${worker_args[@]}")
    # `ip netns exec` becomes the worker, so its pid is the worker's.
    ip netns exec "fanout-h$i" "$bin/worker" "${options[@]}" > "$dir/h$i.out" 2> "$dir/h$i.log" < /dev/null &
    record pid $!
    wait_for_listening "$dir/h$i.out" $! "the worker on fanout-h$i"
done

if [ "$flagserver" = yes ]; then
    add_host fanout-flags "$subnet.200"
    ip netns exec fanout-flags "$bin/flagserver" --host "$subnet.200" --port 8080 --delay-ms "$delay_ms" \
        > "$dir/flags.out" 2> "$dir/flags.log" < /dev/null &
    record pid $!
    wait_for_listening "$dir/flags.out" $! "flagserver"
fi

echo "up: $count hosts on $subnet.0/24, bridge $bridge at $subnet.1"
echo "hosts file:   $dir/hosts.txt"
echo "certificates: $dir/certs (coordinator: --tls-dir $dir/certs)"
[ "$flagserver" = yes ] && echo "flags:        --base-url http://$subnet.200:8080/wp-content/uploads/Flag_of_{}.svg"
[ "$workers" = yes ] || echo "workers:      not started (--no-workers)"
exit 0
