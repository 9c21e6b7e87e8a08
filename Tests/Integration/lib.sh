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

finish() { # the closing line, and the exit status
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
