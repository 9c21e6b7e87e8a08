"""The seed's concurrent_flag_download.py: every country's flag through ThreadPoolExecutor.map, from a flag
server URL pattern with {} for the name. Uses urllib rather than httpx so that it needs nothing from PyPI.
Prints one JSON object: flags, seconds, workers."""
import argparse
import json
import time
import urllib.parse
import urllib.request
from concurrent import futures


def get_flag(pattern: str, name: str) -> bytes:
    url = pattern.replace("{}", urllib.parse.quote("_".join(name.split(" "))))
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--countries-file", required=True)
    parser.add_argument("--workers", type=int, default=None, help="default: min(32, cores + 4), as the seed's")
    args = parser.parse_args()
    with open(args.countries_file) as f:
        countries = [line.strip() for line in f if line.strip()]
    t0 = time.perf_counter()
    with futures.ThreadPoolExecutor(max_workers=args.workers) as executor:
        sizes = list(executor.map(lambda c: len(get_flag(args.base_url, c)), countries))
    elapsed = time.perf_counter() - t0
    print(json.dumps({"flags": len(sizes), "seconds": elapsed, "workers": executor._max_workers}))


if __name__ == "__main__":
    main()
