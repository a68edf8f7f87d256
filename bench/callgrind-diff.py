#!/usr/bin/env python3
"""Where one request's instructions go: the per-function difference of the long and the short
callgrind runs that `bench/instructions.sh --keep DIR` leaves, divided by the requests between
them (the same subtraction as the headline figure, so start-up and first-use costs cancel).

    bench/instructions.sh sluice --keep /tmp/ci && bench/callgrind-diff.py /tmp/ci sluice
    bench/callgrind-diff.py /tmp/ci sluice --inclusive --top 60

Needs `callgrind_annotate` (valgrind). Function names are demangled by callgrind_annotate when
`swift demangle` is not used; pipe through `swift demangle --simplified` for Swift names.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(?:\*\s+)?(.+?)\s*$")


def costs(pattern, inclusive, calls):
    """Instructions per function, summed over every file callgrind wrote for one run."""
    total = {}
    for path in sorted(glob.glob(pattern)):
        argv = ["callgrind_annotate", "--threshold=100", f"--inclusive={'yes' if inclusive else 'no'}", path]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        body = out.split("file:function", 1)[-1]
        for line in body.splitlines():
            match = LINE.match(line)
            if not match:
                continue
            count = int(match.group(1).replace(",", ""))
            name = match.group(2)
            if name.startswith("=>") != calls or name == "events annotated":
                continue
            total[name] = total.get(name, 0) + count
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="the directory given to bench/instructions.sh --keep")
    ap.add_argument("target", help="sluice, sluice-consumer, cache, mock or nginx")
    ap.add_argument("--inclusive", action="store_true", help="inclusive costs (a function and its callees)")
    ap.add_argument("--calls", action="store_true",
                    help="list calls (callgrind's `=>` lines: what each call costs with its callees) instead of functions")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    with open(os.path.join(args.dir, f"{args.target}.requests")) as f:
        served = int(f.read())
    short = costs(os.path.join(args.dir, f"{args.target}-short.callgrind*"), args.inclusive, args.calls)
    long = costs(os.path.join(args.dir, f"{args.target}-long.callgrind*"), args.inclusive, args.calls)
    rows = sorted(((long.get(n, 0) - short.get(n, 0)) / served, n) for n in set(short) | set(long))
    rows.reverse()
    kind = "calls, with their callees," if args.calls else "inclusive" if args.inclusive else "self"
    print(f"{args.target}: {kind} instructions per request over {served:,} requests")
    for per_request, name in rows[: args.top]:
        print(f"{per_request:10,.0f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
