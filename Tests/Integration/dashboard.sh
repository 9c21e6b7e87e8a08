#!/usr/bin/env bash
# Watching a run: --dashboard read by headless Chromium as a person would (every worker shown, the count the
# coordinator printed, bars in the task stream, a screenshot mid-run), /metrics of the coordinator and of each
# worker parsed with Python's prometheus_client and checked against the job log, --metrics-listen alone, and
# the flags' bad input.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || { echo "the dashboard test needs Debian's chromium (scripts/install-packages.sh)"; exit 1; }
python3 -c 'import prometheus_client' 2>/dev/null || { echo "the dashboard test needs prometheus_client from PyPI (scripts/install-packages.sh)"; exit 1; }
cd "$work"

browser() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" "$@" 2>/dev/null; }
wait_for() { # wait_for FILE PATTERN: until FILE has a line matching PATTERN (40 s at most)
    for _ in $(seq 1 800); do grep -qE -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "no \"$2\" in $1"; return 1
}

printf '127.0.0.1\n' > hosts-for-certs.txt
"$coordinator" certs init --hosts hosts-for-certs.txt --out certs > /dev/null
: > hosts.txt
for name in a b; do
    "$worker" --listen 127.0.0.1:0 --tls-dir certs/127.0.0.1 --size 4 --metrics-listen 127.0.0.1:0 > "worker-$name.out" 2> "worker-$name.err" &
    pids+=($!)
    wait_for "worker-$name.out" '^listening on '
    wait_for "worker-$name.err" '^metrics at '
    sed -n 's/^listening on //p' "worker-$name.out" >> hosts.txt
    sed -n 's/^metrics at //p' "worker-$name.err" > "worker-$name.metrics-url"
done

# A run long enough to look at while it goes: 2 workers × 4 slots, 400 jobs of 40 ms.
"$coordinator" sleep --workers hosts.txt --tls-dir certs --count 400 --ms 40 --joblog jobs.tsv \
    --dashboard 0 --dashboard-linger 120 > run.out 2> run.err &
run=$!
pids+=($run)
wait_for run.err '^dashboard at http://127\.0\.0\.1:[0-9]+/$'
url=$(sed -n 's/^dashboard at //p' run.err)
browser --window-size=1400,900 --timeout=1500 --screenshot="$work/mid-run.png" "$url"
check "a screenshot of the page mid-run is a 1400 × 900 PNG" python3 - mid-run.png <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert struct.unpack(">II", data[16:24]) == (1400, 900), struct.unpack(">II", data[16:24])
PY

wait_for run.out '^400 in '
wait_for run.err 'the dashboard stays at '
browser --virtual-time-budget=10000 --dump-dom "$url" > page.html
check "the page shows the run ended" grep -q 'id="run-state" class="badge ended">ended<' page.html
check "the page shows every worker" python3 - page.html hosts.txt <<'PY'
import re, sys
page = open(sys.argv[1]).read()
shown = set(re.findall(r'class="worker" data-address="([^"]+)"', page))
workers = set(open(sys.argv[2]).read().split())
assert shown == workers, (shown, workers)
PY
check "the page's count is the coordinator's" bash -c \
    "grep -q 'id=\"count-finished\" class=\"num\">400<' page.html && grep -q '^400 in ' run.out"
check "the task stream drew a bar per job" grep -q 'id="stream"[^>]*data-bars="400"' page.html

cat > metrics.py <<'PY'
# metrics.py URL JOBLOG WHAT: checks a /metrics page against the job log.
import csv, sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
url, joblog, what = sys.argv[1], sys.argv[2], sys.argv[3]
samples = {}
for family in text_string_to_metric_families(urllib.request.urlopen(url).read().decode()):
    for sample in family.samples:
        samples.setdefault(sample.name, []).append((sample.labels, sample.value))
jobs = list(csv.DictReader(open(joblog), delimiter="\t", quoting=csv.QUOTE_NONE))
def total(name, **labels):
    return sum(value for got, value in samples.get(name, []) if all(got.get(k) == v for k, v in labels.items()))
assert samples.get("process_cpu_seconds_total"), "no process metrics"
assert total("process_resident_memory_bytes") > 0
if what == "coordinator":
    kind = jobs[0]["kind"].rsplit(".v", 1)[0]
    assert total("fanout_jobs_submitted_total", kind=kind) == len(jobs), (samples.get("fanout_jobs_submitted_total"), len(jobs))
    finished = sum(1 for job in jobs if job["status"] == "finished")
    assert total("fanout_jobs_finished_total", kind=kind, outcome="finished") == finished == len(jobs)
    assert total("fanout_job_duration_seconds_count", kind=kind) == finished
    assert total("fanout_job_duration_seconds_sum", kind=kind) >= 0.04 * finished
    assert total("fanout_jobs_pending") == 0 and total("fanout_jobs_running") == 0
    assert "fanout_job_retries_total" in samples
else:
    ran = sum(1 for job in jobs if job["worker"] == what)
    assert ran > 0, "the job log has no job on " + what
    assert total("fanout_worker_jobs_total", outcome="finished") == ran, (samples.get("fanout_worker_jobs_total"), ran)
    assert total("fanout_worker_pool_slots") == 4
    assert total("fanout_worker_queue_depth") == 0
    assert "fanout_worker_sessions" in samples
PY
check "the coordinator's /metrics counts the job log's jobs" python3 metrics.py "${url}metrics" jobs.tsv coordinator
for name in a b; do
    address=$(sed -n 's/^listening on //p' "worker-$name.out")
    check "worker $name's /metrics counts the jobs the job log ran there" \
        python3 metrics.py "$(cat "worker-$name.metrics-url")" jobs.tsv "$address"
done
check "the page is read-only" bash -c "curl -s -o /dev/null -w '%{http_code}' -X POST '$url' | grep -q 405"

kill -INT "$run"
check "Ctrl-C ends the linger, and the run's exit status stays 0" wait "$run"
check "the dashboard's port is closed after" bash -c "! curl -s -o /dev/null '$url'"

# /metrics alone, while a run goes: no page.
"$coordinator" sleep --workers hosts.txt --tls-dir certs --count 200 --ms 50 --metrics-listen 127.0.0.1:0 \
    > metrics-only.out 2> metrics-only.err &
run=$!
pids+=($run)
wait_for metrics-only.err '^metrics at http://127\.0\.0\.1:[0-9]+/metrics$'
metrics_url=$(sed -n 's/^metrics at //p' metrics-only.err)
check "--metrics-listen serves /metrics mid-run" bash -c "curl -sf '$metrics_url' | grep -q '^fanout_jobs_submitted_total{kind=\"sleep\"} 200'"
check "--metrics-listen serves no page" bash -c "curl -s -o /dev/null -w '%{http_code}' '${metrics_url%metrics}' | grep -q 404"
check "the run with --metrics-listen ends" wait "$run"

"$coordinator" sleep --local 1 --count 1 --dashboard 70000 > bad-port.out 2>&1 && echo "exit 0" >> bad-port.out || true
check "a bad --dashboard port is refused by name" contains bad-port.out '--dashboard "70000": "70000" is not a port from 0 to 65535'
"$coordinator" sleep --local 1 --count 1 --dashboard-linger 5 > linger-alone.out 2>&1 || true
check "--dashboard-linger alone is refused" contains linger-alone.out "--dashboard-linger needs --dashboard"
"$worker" --tls-dir certs/127.0.0.1 --metrics-listen nowhere: > bad-metrics.out 2>&1 || true
check "a bad worker --metrics-listen is refused by name" contains bad-metrics.out '--metrics-listen "nowhere:"'
"$coordinator" sleep --workers hosts.txt --tls-dir certs --count 2 --ms 1 --dashboard 0.0.0.0:0 > open.out 2> open.err
check "a dashboard on every address warns that it has no authentication" contains open.err "has no authentication"
taken=$(sed -n 's/^metrics at http:\/\/127.0.0.1:\([0-9]*\)\/metrics$/\1/p' worker-a.err)
"$coordinator" sleep --workers hosts.txt --tls-dir certs --count 2 --ms 1 --dashboard "$taken" > taken.out 2> taken.err || true
check "a dashboard port already taken is a clear error" contains taken.err "cannot listen on 127.0.0.1:$taken"

finish
