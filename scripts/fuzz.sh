#!/usr/bin/env bash
# Builds FrameFuzzer with libFuzzer and AddressSanitizer and fuzzes the wire for SECONDS (default 60),
# starting from the committed seed corpus. A crash fails the script; its input is left in
# .build-fuzz/crashes/ to be committed to Fuzz/regressions/ with the fix. See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

FANOUT_FUZZ=1 swift build -c release --build-path .build-fuzz --product FrameFuzzer \
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
fuzzer=$(FANOUT_FUZZ=1 swift build -c release --build-path .build-fuzz --show-bin-path)/FrameFuzzer

corpus=.build-fuzz/corpus
crashes=.build-fuzz/crashes
mkdir -p "$corpus" "$crashes"
cp Fuzz/corpus/frames/* "$corpus/"
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=4200 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$corpus" > .build-fuzz/fuzz.log 2>&1 || status=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' .build-fuzz/fuzz.log || true
echo "corpus grew from $(ls Fuzz/corpus/frames | wc -l) to $(ls "$corpus" | wc -l) inputs"
if [ "$status" -ne 0 ]; then
    tail -40 .build-fuzz/fuzz.log
    echo "the fuzzer found an input that breaks a property: $(ls "$crashes")"
fi
exit "$status"
