#!/usr/bin/env bash
# Runs every integration test against the built binaries; run `swift build` first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
for test in "$here"/*.sh; do
    case "$(basename "$test")" in run-all.sh | lib.sh) continue ;; esac
    echo "== $(basename "$test")"
    "$test" || status=1
done
exit $status
