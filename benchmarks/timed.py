"""Runs a command and appends "SLOTS JOBS SECONDS" to a file: its wall time on the monotonic clock, from just
before it is started to just after it has exited. Standard input passes through to the command; its standard
output goes to standard error, as run.sh's standard output is the table. A command that cannot start or exits
with any status but 0 fails this script, and no line is written: a failed run gives no figure.

    python3 benchmarks/timed.py --out FILE --slots N --jobs N -- COMMAND [ARGS…]
"""
import argparse
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--slots", type=int, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to time after --")
    if args.slots < 1 or args.jobs < 1:
        parser.error("--slots and --jobs must be at least 1")

    start = time.monotonic()
    try:
        status = subprocess.run(command, stdout=sys.stderr).returncode
    except OSError as error:
        sys.exit(f"timed.py: cannot run {command[0]}: {error}")
    seconds = time.monotonic() - start
    if status != 0:
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        sys.exit(f"timed.py: {' '.join(command)} {how}; no figure written")
    with open(args.out, "a") as f:
        f.write(f"{args.slots} {args.jobs} {seconds:.6f}\n")


if __name__ == "__main__":
    main()
