#!/usr/bin/env bash
# Mutual TLS refusals, against real worker processes: a client with no certificate, one from another CA, an
# expired one (made with faketime), one not marked for client use, a TLS 1.2 client, and a worker whose
# certificate lacks the name it is dialled by. Each is refused with a sentence saying why on the side that
# sees it, and no job runs. Then sslyze, from PyPI, must find TLS 1.3 only and client authentication required.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
command -v faketime >/dev/null || { echo "tls.sh needs faketime (scripts/install-packages.sh)"; exit 1; }
cd "$work"
printf '127.0.0.1\nelsewhere.example\n' > hosts-for-certs.txt
"$coordinator" certs init --hosts hosts-for-certs.txt --out certs > /dev/null
printf '127.0.0.1\n' > stranger-hosts.txt
"$coordinator" certs init --hosts stranger-hosts.txt --out stranger > /dev/null

start_worker() { # start_worker NAME TLS_DIR: sets $address
    "$worker" --listen 127.0.0.1:0 --tls-dir "$2" --log-level info > "$1.out" 2> "$1.err" &
    pids+=($!)
    for _ in $(seq 1 400); do grep -q '^listening on ' "$1.out" && break; sleep 0.05; done
    address=$(sed -n 's/^listening on //p' "$1.out")
}
start_worker worker certs/127.0.0.1
echo "$address" > hosts.txt
port=${address##*:}

# A coordinator folder with the cluster's CA and the given certificate and key.
coordinator_dir() { # coordinator_dir DIR CERT KEY
    mkdir -p "$1"; cp certs/ca.pem "$1/ca.pem"; cp "$2" "$1/coordinator.pem"; cp "$3" "$1/coordinator-key.pem"
}
openssl ecparam -genkey -name prime256v1 -noout -out client-key.pem
openssl req -new -key client-key.pem -subj "/O=Fanout/CN=fanout-coordinator" -out client.csr
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > server-only.ext
faketime '2023-01-01 00:00:00' openssl x509 -req -in client.csr -CA certs/ca.pem -CAkey certs/ca-key.pem -days 30 \
    -extfile client.ext -out expired.pem 2> /dev/null
openssl x509 -req -in client.csr -CA certs/ca.pem -CAkey certs/ca-key.pem -days 30 -extfile server-only.ext \
    -out server-only.pem 2> /dev/null
coordinator_dir other-ca stranger/coordinator.pem stranger/coordinator-key.pem
coordinator_dir expired expired.pem client-key.pem
coordinator_dir server-only server-only.pem client-key.pem
check "the expired certificate really is expired" bash -c '! openssl x509 -in expired.pem -noout -checkend 0'

check "the cluster's own coordinator certificate is accepted" bash -c "'$coordinator' ping --workers hosts.txt --tls-dir certs | grep -q 'rtt'"
jobs_before=$(grep -c 'coordinator said hello' worker.err || true)

# refused NAME TLS_DIR COORDINATOR_SAYS WORKER_SAYS: a run with TLS_DIR fails, each side saying why.
refused() {
    local name=$1 tls=$2 says=$3 worker_says=$4 status=0
    local lines; lines=$(wc -l < worker.err)
    "$coordinator" primes --numbers 7,11 --workers hosts.txt --tls-dir "$tls" > "$name.out" 2> "$name.err" || status=$?
    check "$name: the run fails" test "$status" != 0
    check "$name: the coordinator says why" contains "$name.err" "$says"
    check "$name: no number was checked" bash -c "! grep -q ' | ' $name.out"
    for _ in $(seq 1 100); do tail -n +"$((lines + 1))" worker.err | grep -qF -- "$worker_says" && break; sleep 0.05; done
    tail -n +"$((lines + 1))" worker.err > "$name.worker.err"
    check "$name: the worker says why" contains "$name.worker.err" "$worker_says"
}
refused other-ca other-ca "it is not signed by the worker's CA" "the client's certificate was refused"
refused expired expired "the worker refused our certificate as expired" "the client's certificate was refused"
refused server-only server-only "it is not marked for TLS client authentication" "the client's certificate was refused"

lines=$(wc -l < worker.err)
# -ign_eof: wait for the worker's alert, which TLS 1.3 sends after the client thinks the handshake is done.
timeout 10 openssl s_client -connect "$address" -tls1_3 -ign_eof -CAfile certs/ca.pem < /dev/null > no-cert.out 2>&1 || true
for _ in $(seq 1 100); do tail -n +"$((lines + 1))" worker.err | grep -q 'sent no certificate' && break; sleep 0.05; done
check "no client certificate: the client is told one is required" grep -qi 'certificate required' no-cert.out
check "no client certificate: the worker says why" bash -c "tail -n +$((lines + 1)) worker.err | grep -q 'the client sent no certificate'"

lines=$(wc -l < worker.err)
openssl s_client -connect "$address" -tls1_2 -CAfile certs/ca.pem -cert certs/coordinator.pem \
    -key certs/coordinator-key.pem < /dev/null > tls12.out 2>&1 || true
for _ in $(seq 1 100); do tail -n +"$((lines + 1))" worker.err | grep -q 'no TLS 1.3' && break; sleep 0.05; done
check "TLS 1.2: the client is told the version is refused" grep -qi 'protocol version' tls12.out
check "TLS 1.2: the worker says why" bash -c "tail -n +$((lines + 1)) worker.err | grep -q 'the client offers no TLS 1.3'"

# A worker whose certificate is made out to another host, dialled at 127.0.0.1.
start_worker misnamed certs/elsewhere.example
echo "$address" > misnamed-hosts.txt
status=0
"$coordinator" primes --numbers 7,11 --workers misnamed-hosts.txt --tls-dir certs > misnamed-run.out 2> misnamed-run.err \
    || status=$?
check "misnamed worker: the run fails" test "$status" != 0
check "misnamed worker: the coordinator says why" contains misnamed-run.err "is not made out to the address dialled"
check "misnamed worker: no number was checked" bash -c "! grep -q ' | ' misnamed-run.out"
for _ in $(seq 1 100); do grep -q 'TLS handshake' misnamed.err && break; sleep 0.05; done
check "misnamed worker: it says the coordinator left mid-handshake, and the likely cause" \
    contains misnamed.err "the client closed the connection during the TLS handshake; if it was a coordinator, it refused"
check "misnamed worker: no job ran there" bash -c "! grep -q 'coordinator said hello' misnamed.err"

check "no refused client got as far as a hello, so no job ran" test "$(grep -c 'coordinator said hello' worker.err || true)" = "$jobs_before"

# sslyze, in a virtual environment of its own.
python3 -m venv venv > /dev/null
venv/bin/pip install --quiet sslyze > pip.log 2>&1 || { cat pip.log; exit 1; }
venv/bin/python -m sslyze "$address" --json_out=sslyze.json --quiet > sslyze.out 2>&1 || true
check "sslyze: TLS 1.3 only, client authentication required" python3 - sslyze.json <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))["server_scan_results"][0]
scans = result["scan_result"]
accepted = {
    version: len(scans[f"{version}_cipher_suites"]["result"]["accepted_cipher_suites"])
    for version in ("ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1", "tls_1_2", "tls_1_3")
}
auth = result["connectivity_result"]["client_auth_requirement"]
print("accepted cipher suites by version:", accepted, "client authentication:", auth)
sys.exit(0 if accepted["tls_1_3"] > 0 and sum(accepted.values()) == accepted["tls_1_3"] and auth == "REQUIRED" else 1)
PY
sed -n 's/^accepted/figures: sslyze: accepted/p' "$work/last.log"
finish
