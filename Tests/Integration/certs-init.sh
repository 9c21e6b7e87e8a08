#!/usr/bin/env bash
# `coordinator certs init` end to end: the files it writes, their modes, that openssl accepts every
# certificate, that openssl's own server and client complete a mutual TLS 1.3 handshake with them, that a
# second run keeps the CA and adds hosts, and that bad input fails with a clear message.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "openssl is required (apt-get install openssl)"; exit 1; }
mode_is() { [ "$(stat -c %a "$1")" = "$2" ] || { echo "$1 has mode $(stat -c %a "$1"), want $2"; return 1; }; }

cd "$work"
cat > hosts.txt <<'HOSTS'
# three ways to name a worker
localhost
127.0.0.1:7421 slots=4
[::1]:7422
HOSTS

"$coordinator" certs init --hosts hosts.txt --out certs > init.out
check "init reports each file it made" contains init.out "created worker certificate for ::1: certs/::1"
check "CA key is 0600" mode_is certs/ca-key.pem 600
check "coordinator key is 0600" mode_is certs/coordinator-key.pem 600
check "certificate folder is 0700" mode_is certs 700
for host in localhost 127.0.0.1 ::1; do
    check "worker key for $host is 0600" mode_is "certs/$host/worker-key.pem" 600
    check "openssl verifies the $host server certificate" \
        openssl verify -CAfile certs/ca.pem -purpose sslserver "certs/$host/worker.pem"
    check "the $host folder carries the cluster CA" cmp certs/ca.pem "certs/$host/ca.pem"
    check "worker check-tls accepts the $host folder" "$worker" check-tls --tls-dir "certs/$host"
done
check "openssl verifies the coordinator client certificate" \
    openssl verify -CAfile certs/ca.pem -purpose sslclient certs/coordinator.pem
openssl x509 -in certs/127.0.0.1/worker.pem -noout -ext subjectAltName > san-ip.txt
check "an IP host gets an IP SAN" contains san-ip.txt "IP Address:127.0.0.1"
openssl x509 -in certs/localhost/worker.pem -noout -ext subjectAltName > san-dns.txt
check "a named host gets a DNS SAN" contains san-dns.txt "DNS:localhost"

# openssl s_server and s_client, mutual TLS 1.3, with the files as written.
start_server() { # start_server HOST_DIR: starts s_server on a free port and sets $port
    # -rev echoes each line reversed and closes on CLOSE, so neither side waits on a timer.
    openssl s_server -accept 127.0.0.1:0 -naccept 1 -tls1_3 -rev -Verify 1 -verify_return_error \
        -cert "$1/worker.pem" -key "$1/worker-key.pem" -CAfile certs/ca.pem > server.out 2>&1 < /dev/null &
    pids+=($!)
    port=""
    for _ in $(seq 1 200); do  # wait for the ACCEPT line that carries the port, not for a fixed time
        port=$(sed -n 's/^ACCEPT 127.0.0.1:\([0-9]*\)$/\1/p' server.out)
        [ -n "$port" ] && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.05
    done
    echo "s_server did not start:"; cat server.out; return 1
}
start_server certs/127.0.0.1
printf 'ping\nCLOSE\n' | timeout 30 openssl s_client -ign_eof -connect "127.0.0.1:$port" -tls1_3 \
    -verify_return_error -verify_ip 127.0.0.1 \
    -CAfile certs/ca.pem -cert certs/coordinator.pem -key certs/coordinator-key.pem > client.out 2>&1 || true
wait "${pids[-1]}" 2>/dev/null || true
check "s_client verifies the worker's certificate and IP" contains client.out "subject=O = Fanout, CN = 127.0.0.1"
check "the handshake is TLS 1.3" contains client.out "New, TLSv1.3"
check "s_server verifies the coordinator's certificate" contains server.out "CN = fanout-coordinator"
check "data crosses the connection both ways" contains client.out "gnip"

start_server certs/localhost
printf 'ping\nCLOSE\n' | timeout 30 openssl s_client -ign_eof -connect "127.0.0.1:$port" -tls1_3 \
    -verify_hostname localhost -CAfile certs/ca.pem > client.out 2>&1 || true
wait "${pids[-1]}" 2>/dev/null || true
check "s_server refuses a client without a certificate" contains server.out "peer did not return a certificate"

# A second run keeps the CA and adds a new host.
cp certs/ca.pem ca-before.pem
echo "worker-4.example" >> hosts.txt
"$coordinator" certs init --hosts hosts.txt --out certs > rerun.out
check "a second run keeps the CA" cmp certs/ca.pem ca-before.pem
check "a second run says it kept the CA" contains rerun.out "kept cluster CA"
check "a second run adds the new host" contains rerun.out "created worker certificate for worker-4.example"
check "the new host chains to the same CA" \
    openssl verify -CAfile ca-before.pem -purpose sslserver certs/worker-4.example/worker.pem

# Bad input: clear messages, non-zero exits.
rm certs/ca-key.pem
if "$coordinator" certs init --hosts hosts.txt --out certs > refuse.out 2>&1; then echo "exit 0" >> refuse.out; fi
check "a CA without its key is not replaced silently" contains refuse.out "pass --force"
check "the CA is untouched" cmp certs/ca.pem ca-before.pem
"$coordinator" certs init --hosts hosts.txt --out certs --force > force.out
check "--force makes a new CA" bash -c '! cmp -s certs/ca.pem ca-before.pem'
check "--force reissues the hosts" openssl verify -CAfile certs/ca.pem certs/localhost/worker.pem

printf 'good.example\nfd00::1\n' > bad-hosts.txt
if "$coordinator" certs init --hosts bad-hosts.txt --out other > bad.out 2>&1; then echo "exit 0" >> bad.out; fi
check "a bad hosts line is named by file and line" contains bad.out "bad-hosts.txt:2:"
if "$worker" check-tls --tls-dir certs > wrong-dir.out 2>&1; then echo "exit 0" >> wrong-dir.out; fi
check "check-tls names the missing file" contains wrong-dir.out "certs/worker.pem"

finish
