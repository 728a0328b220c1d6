#!/usr/bin/env python3
"""Where a test case spends its time, from a log traced with RUNNER_XTRACE=1.

    trace-times.py CASE.log [TOP]

Each trace line reads "+ EPOCH PID FILE:LINE COMMAND". A line's time is the time until the
next line of the same shell process, or since the last one for an assignment from a
command substitution, which is traced after its command has run (so a command that waits for its children is charged
for them); only the case's own shell (the first process traced) is summed by line, the
others (subshells, background jobs) by process. Prints the TOP (default 25) lines that took
longest, with how often they ran, and the case's length.
"""
import collections
import re
import sys

TRACE = re.compile(r"^\++ (\d+\.\d+) (\d+) (\S+:\d+) ?(.*)$")
ASSIGN = re.compile(r"^(local )?[A-Za-z_][A-Za-z0-9_]*=")


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    last = {}       # pid -> (time, where, command)
    by_line = collections.defaultdict(lambda: [0.0, 0, ""])
    first_pid = None
    first = end = None
    with open(path, errors="replace") as f:
        for raw in f:
            m = TRACE.match(raw.rstrip("\n"))
            if not m:
                continue
            t, pid, where, cmd = float(m[1]), m[2], m[3], m[4]
            first_pid = first_pid or pid
            first = first if first is not None else t
            end = t
            if pid in last:
                t0, w0, c0 = last[pid]
                # "x=$(command)" is traced once the command has ended: the time is its own.
                if ASSIGN.match(cmd):
                    w0, c0 = where, cmd
                key = w0 if pid == first_pid else "(other process) " + w0
                entry = by_line[key]
                entry[0] += t - t0
                entry[1] += 1
                entry[2] = entry[2] or c0[:90]
            last[pid] = (t, where, cmd)
    if first is None:
        sys.exit(f"{path}: no trace lines (run the case with RUNNER_XTRACE=1)")
    print(f"{path}: {end - first:.1f} s traced")
    rows = sorted(by_line.items(), key=lambda kv: -kv[1][0])[:top]
    for where, (secs, count, cmd) in rows:
        print(f"{secs:8.1f} s {count:6d}x  {where:32s} {cmd}")


if __name__ == "__main__":
    main()
