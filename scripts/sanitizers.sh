#!/usr/bin/env bash
# Runs the test suites under ThreadSanitizer and AddressSanitizer (LeakSanitizer included), each built in a
# folder of its own (.build-thread, .build-address). The worker processes the tests start are built with the
# same sanitizer; every report, from the tests or from a worker, fails the run.
#
#   scripts/sanitizers.sh [thread] [address]     (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(thread address)

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in thread | address) ;; *) echo "unknown sanitizer $sanitizer: thread or address"; exit 2 ;; esac
    build=.build-$sanitizer
    reports=$PWD/$build/reports
    rm -rf "$reports" && mkdir -p "$reports"
    echo "== swift test under the $sanitizer sanitizer"
    # ThreadSanitizer cannot see Synchronization.Mutex take its lock: FANOUT_TSAN swaps in one it can (Locked).
    flags=(--sanitize="$sanitizer" --build-path "$build")
    [ "$sanitizer" = thread ] && flags+=(-Xswiftc -DFANOUT_TSAN)
    swift build --build-tests "${flags[@]}"
    # Reports go to files, one per process, so that a worker's reach us as surely as the tests' own.
    # Its suppressions are a dependency's synchronisation it cannot see; none is for Fanout's own code.
    export TSAN_OPTIONS="halt_on_error=1:log_path=$reports/tsan:suppressions=$PWD/scripts/tsan-suppressions.txt"
    # LeakSanitizer checks every process at exit. Its suppressions each name memory it cannot see held, or a
    # library's leak; none is for Fanout's own code.
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/asan"
    export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0"
    tested=0
    # One test at a time: the sanitizers slow everything several times over, and on a small machine tests in
    # parallel would then miss the deadlines (heartbeats, handshakes) they exercise.
    swift test --skip-build --no-parallel "${flags[@]}" > "$build/test.log" 2>&1 || tested=$?
    grep -E '^(✔|✘) Test run' "$build/test.log" || tail -30 "$build/test.log"
    if [ "$tested" -ne 0 ]; then
        grep -E '✘' "$build/test.log" | head -20 || true
        echo "swift test under the $sanitizer sanitizer failed (exit $tested)"
        status=1
    fi
    if compgen -G "$reports/*" > /dev/null; then
        for report in "$reports"/*; do echo "-- $report"; head -60 "$report"; done
        echo "the $sanitizer sanitizer reported $(ls "$reports" | wc -l) problem(s)"
        status=1
    else
        echo "the $sanitizer sanitizer reported nothing"
    fi
done
exit $status
