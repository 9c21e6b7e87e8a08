# Shared by the integration tests: the built binaries, a scratch folder removed on exit with every process
# started into $pids, and check lines that count passes and failures.
# shellcheck shell=bash

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$(cd "$root" && swift build --show-bin-path)
coordinator="$bin/coordinator"
worker="$bin/worker"
flagserver="$bin/flagserver"
for tool in "$coordinator" "$worker" "$flagserver"; do
    [ -x "$tool" ] || { echo "build first (swift build): $tool is missing"; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# For a test on network-namespace hosts from deploy/netns-cluster.sh: needs root; sets $netns, $hosts and
# $certs, and takes the hosts down however the test ends.
use_netns() {
    [ "$(id -u)" -eq 0 ] || { echo "$(basename "$0") needs root to make network namespaces"; exit 1; }
    netns="$root/deploy/netns-cluster.sh"
    export FANOUT_NETNS_DIR="$work/netns"
    trap '"$netns" down >/dev/null 2>&1 || true; cleanup' EXIT
    hosts="$FANOUT_NETNS_DIR/hosts.txt"
    certs="$FANOUT_NETNS_DIR/certs"
}

passed=0
failed=0
check() { # check NAME COMMAND...: runs COMMAND, prints ok or FAIL with what it said
    local name=$1; shift
    if "$@" >"$work/last.log" 2>&1; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/last.log"
    fi
}
contains() { grep -qF -- "$2" "$1" || { echo "expected \"$2\" in $1:"; tail -20 "$1"; return 1; }; }

count_is() { local n; n=$(grep -cE -- "$2" "$1" || true); [ "$n" = "$3" ] || { echo "$n lines match \"$2\" in $1, want $3"; return 1; }; }

# Every "n | p | elapsed | worker" line has the right verdict.
verdicts_right() {
    python3 - "$1" <<'PY'
import sys
def is_prime(n):
    if n < 2: return False
    d = 2
    while d * d <= n:
        if n % d == 0: return False
        d += 1
    return True
bad = 0
for line in open(sys.argv[1]):
    parts = [p.strip() for p in line.split("|")]
    if len(parts) == 4 and parts[0].isdigit():
        n = int(parts[0])
        if (parts[1] == "p") != is_prime(n):
            print("wrong verdict:", line.strip()); bad += 1
sys.exit(1 if bad else 0)
PY
}

# Every flag in the folder is byte-identical to the flag iso-flags-svg has for that country.
flags_identical() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys, filecmp
folder, expected = sys.argv[1], int(sys.argv[2])
codes = {}
for c in json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]:
    for key in ("name", "common_name", "official_name"):
        if key in c: codes["-".join(c[key].split(" ")) + ".svg"] = c["alpha_2"].lower()
files = os.listdir(folder)
bad = [f for f in files if not filecmp.cmp(os.path.join(folder, f), "/usr/share/iso-flags-svg/country-4x3/%s.svg" % codes[f], shallow=False)]
if bad or len(files) != expected:
    print(len(files), "files, want", expected, "; differing:", bad[:5]); sys.exit(1)
PY
}

# svg_count FILE ELEMENT CLASS N: FILE parses as XML and has N ELEMENTs whose class list holds CLASS.
svg_count() {
    python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
path, element, wanted, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
found = [e for e in ET.parse(path).iter("{http://www.w3.org/2000/svg}" + element) if wanted in e.get("class", "").split()]
if len(found) != count:
    print(len(found), element, "elements of class", wanted, "in", path, "want", count); sys.exit(1)
PY
}

finish() { # the closing line, and the exit status
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
