#!/usr/bin/env bash
# Installs the Debian packages Fanout needs beyond Swift, when missing: openssl (certificate checks),
# python3 (integration checks), iso-codes and iso-flags-svg (flagserver's country names and flags),
# iproute2 and iptables (namespace hosts and the faults injected into them), faketime (expired
# certificates), python3-venv (sslyze, from PyPI, in a venv of its own), openssh-client and openssh-server (the
# install test's hosts), systemd (systemd-analyze, to check the unit), parallel (GNU Parallel, the baseline
# benchmarks/run.sh times `coordinator exec` against), chromium (the dashboard test's browser). No service is
# started by installing them. From PyPI: prometheus_client, which the dashboard test parses /metrics with, and
# websocket-client, which benchmarks/page_probe.py drives Chromium with.
set -euo pipefail

missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
[ -f /usr/share/iso-codes/json/iso_3166-1.json ] || missing+=(iso-codes)
[ -d /usr/share/iso-flags-svg/country-4x3 ] || missing+=(iso-flags-svg)
command -v ip >/dev/null || missing+=(iproute2)
command -v iptables >/dev/null || missing+=(iptables)
command -v faketime >/dev/null || missing+=(faketime)
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v ssh >/dev/null || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v systemd-analyze >/dev/null || missing+=(systemd)
# moreutils has a `parallel` of its own: only GNU's will do.
[[ "$(parallel --version 2>/dev/null)" == "GNU parallel"* ]] || missing+=(parallel)
command -v chromium >/dev/null || missing+=(chromium)
for module in prometheus_client:prometheus_client websocket:websocket-client; do
    python3 -c "import ${module%%:*}" 2>/dev/null || python3 -m pip install --quiet --root-user-action=ignore "${module#*:}"
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A policy-rc.d that refuses keeps package scripts from starting services (sshd) on this machine.
policy=/usr/sbin/policy-rc.d
placed_policy=no
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && placed_policy=yes
fi
trap '[ "$placed_policy" = yes ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
