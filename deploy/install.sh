#!/usr/bin/env bash
# Installs and starts a Fanout worker on every host of a hosts file, over SSH.
#
#   deploy/install.sh HOSTS_FILE [--certs DIR] [--binary PATH [--subcommand WORDS]] [--user USER]
#                     [--ssh-option OPTION]... [--prefix DIR] [--config-dir DIR] [--options "WORKER OPTIONS"]
#                     [--no-systemd] [--dry-run]
#
# For each host it copies the `worker` binary, or a worker program of your own given with --binary (whose
# worker command, if it is a subcommand, --subcommand names: `--binary pi-estimate --subcommand worker`),
# to PREFIX/bin/worker (default /opt/fanout/bin), that host's folder
# from `coordinator certs init` (CERTS/HOST, default certs/) to CONFIG/tls (default /etc/fanout/tls), and
# writes CONFIG/worker.env with the host's port from the hosts file and --options (default
# "--pool processes"); then it installs deploy/systemd/fanout-worker.service and enables and (re)starts it.
# With --no-systemd it starts the worker with nohup instead, stopping one it started before (for hosts
# without systemd, and tests). --dry-run prints every command instead of running it. {host} in --prefix or
# --config-dir becomes the host's name. A host that fails is reported by name and the others go on; the
# exit status is non-zero if any failed.
set -euo pipefail

die() { echo "install: $*" >&2; exit 2; }

hosts_file=${1:-}
[ -n "$hosts_file" ] && [ "${hosts_file#-}" = "$hosts_file" ] || die "usage: deploy/install.sh HOSTS_FILE [options] (see the top of this file)"
shift
here=$(cd "$(dirname "$0")" && pwd)
certs=certs
binary=""
subcommand=""
user=root
ssh_options=(-o BatchMode=yes -o ConnectTimeout=10)
prefix=/opt/fanout
config=/etc/fanout
options="--pool processes"
systemd=yes
dry_run=no
while [ $# -gt 0 ]; do
    case "$1" in
        --certs) certs=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --subcommand) subcommand=$2; shift 2 ;;
        --user) user=$2; shift 2 ;;
        --ssh-option) ssh_options+=(-o "$2"); shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --config-dir) config=$2; shift 2 ;;
        --options) options=$2; shift 2 ;;
        --no-systemd) systemd=no; shift ;;
        --dry-run) dry_run=yes; shift ;;
        *) die "unknown option $1" ;;
    esac
done
[ -f "$hosts_file" ] || die "no hosts file at $hosts_file"
[ -d "$certs" ] || die "no certificates at $certs: run coordinator certs init --hosts $hosts_file --out $certs"
if [ -z "$binary" ]; then
    binary=$(cd "$here/.." && swift build --show-bin-path 2>/dev/null)/worker
fi
[ -x "$binary" ] || die "no worker binary at $binary: build it (swift build -c release) or pass --binary"
unit="$here/systemd/fanout-worker.service"

# Runs a command, or prints it under --dry-run. Each step of a host ends with `|| return 1`: errexit does not
# reach inside a function called as a condition.
run() {
    if [ "$dry_run" = yes ]; then
        printf '%q ' "$@"; echo
    else
        "$@"
    fi
}

# Reads the hosts file as the coordinator does: host[:port] [slots=N], IPv6 in brackets, # comments.
hosts=()
ports=()
while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    read -r address _ <<< "$line" || true
    [ -n "${address:-}" ] || continue
    if [[ "$address" =~ ^\[([^]]+)\](:([0-9]+))?$ ]]; then
        hosts+=("${BASH_REMATCH[1]}"); ports+=("${BASH_REMATCH[3]:-7420}")
    elif [[ "$address" =~ ^([^:]+)(:([0-9]+))?$ ]]; then
        hosts+=("${BASH_REMATCH[1]}"); ports+=("${BASH_REMATCH[3]:-7420}")
    else
        die "$hosts_file: cannot read \"$address\" (host[:port], IPv6 in brackets)"
    fi
done < "$hosts_file"
[ ${#hosts[@]} -gt 0 ] || die "$hosts_file lists no hosts"

install_host() { # install_host HOST PORT
    local host=$1 port=$2
    local target="$user@$host"
    [[ "$host" == *:* ]] && target="$user@[$host]"
    local host_prefix=${prefix//\{host\}/$host}
    local host_config=${config//\{host\}/$host}
    local folder="$certs/$host"
    [ -f "$folder/worker.pem" ] && [ -f "$folder/worker-key.pem" ] && [ -f "$folder/ca.pem" ] \
        || { echo "no certificate folder $folder: run coordinator certs init with this host in the hosts file"; return 1; }
    local env="FANOUT_LISTEN=0.0.0.0:$port
FANOUT_DRAIN_SECONDS=60
FANOUT_COMMAND=\"$subcommand\"
FANOUT_OPTIONS=\"$options\""

    run ssh "${ssh_options[@]}" "$target" "mkdir -p '$host_prefix/bin' && install -d -m 0700 '$host_config/tls'" || return 1
    run scp -q "${ssh_options[@]}" "$binary" "$target:$host_prefix/bin/worker.new" || return 1
    run ssh "${ssh_options[@]}" "$target" "chmod 0755 '$host_prefix/bin/worker.new' && mv -f '$host_prefix/bin/worker.new' '$host_prefix/bin/worker'" || return 1
    run scp -q "${ssh_options[@]}" "$folder/ca.pem" "$folder/worker.pem" "$folder/worker-key.pem" "$target:$host_config/tls/" || return 1
    run ssh "${ssh_options[@]}" "$target" "chmod 0600 '$host_config/tls/worker-key.pem' && cat > '$host_config/worker.env' <<'ENV'
$env
ENV" || return 1
    if [ "$systemd" = yes ]; then
        local unit_text
        unit_text=$(sed -e "s|/opt/fanout/bin/worker|$host_prefix/bin/worker|" -e "s|/etc/fanout/|$host_config/|g" "$unit")
        run ssh "${ssh_options[@]}" "$target" "cat > /etc/systemd/system/fanout-worker.service <<'UNIT'
$unit_text
UNIT
systemctl daemon-reload && systemctl enable fanout-worker.service && systemctl restart fanout-worker.service && systemctl is-active --quiet fanout-worker.service" || return 1
    else
        # Stop the worker this script started before (SIGTERM drains it), then start the new one detached.
        run ssh "${ssh_options[@]}" "$target" "set -e
pidfile='$host_prefix/worker.pid'
if [ -f \"\$pidfile\" ] && kill \"\$(cat \"\$pidfile\")\" 2>/dev/null; then
    while kill -0 \"\$(cat \"\$pidfile\")\" 2>/dev/null; do sleep 0.1; done
fi
set -a; . '$host_config/worker.env'; set +a
nohup '$host_prefix/bin/worker' \$FANOUT_COMMAND --listen \"\$FANOUT_LISTEN\" --tls-dir '$host_config/tls' --shutdown-timeout \"\$FANOUT_DRAIN_SECONDS\" \$FANOUT_OPTIONS \\
    > '$host_prefix/worker.out' 2> '$host_prefix/worker.log' < /dev/null &
echo \$! > \"\$pidfile\"
for i in \$(seq 1 200); do
    grep -q '^listening on ' '$host_prefix/worker.out' && exit 0
    kill -0 \$! 2>/dev/null || { cat '$host_prefix/worker.log' >&2; exit 1; }
    sleep 0.05
done
echo 'the worker did not start listening within 10 seconds' >&2; exit 1" || return 1
    fi
}

failed=()
for index in "${!hosts[@]}"; do
    host=${hosts[$index]}
    if [ "$dry_run" = yes ]; then
        echo "# $host"
        install_host "$host" "${ports[$index]}"
    elif output=$(install_host "$host" "${ports[$index]}" 2>&1); then
        echo "ok      $host"
    else
        echo "FAILED  $host: $(echo "$output" | tail -3 | tr '\n' ' ')"
        failed+=("$host")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "install failed on ${#failed[@]} of ${#hosts[@]} hosts: ${failed[*]}" >&2
    exit 1
fi
