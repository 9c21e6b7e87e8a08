#!/usr/bin/env bash
# Installs the Debian packages Fanout needs beyond Swift, when missing: openssl (certificate checks),
# python3 (integration checks), iso-codes and iso-flags-svg (flagserver's country names and flags).
set -euo pipefail

missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
[ -f /usr/share/iso-codes/json/iso_3166-1.json ] || missing+=(iso-codes)
[ -d /usr/share/iso-flags-svg/country-4x3 ] || missing+=(iso-flags-svg)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
