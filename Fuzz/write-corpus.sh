#!/usr/bin/env bash
# Rewrites the seed corpus, Fuzz/corpus/frames, from the golden frames of Tests/ProtocolTests/GoldenFrames.swift:
# one file each, named after the frame, and all of them in one stream. Run it after changing the golden frames,
# and commit the result; the "Fuzz corpus and regressions" tests fail until the corpus matches them.
# Extra arguments go to `swift test`, e.g. --scratch-path .build-protocol.
set -euo pipefail
cd "$(dirname "$0")/.."
FANOUT_WRITE_FUZZ_CORPUS=1 swift test "$@" --filter 'FuzzCorpusTests/corpusIsTheGoldenFrames'
ls -l Fuzz/corpus/frames
