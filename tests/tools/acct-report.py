#!/usr/bin/env python3
"""Where a test guest's CPU time went, from its process accounting (LVS_TEST_ACCT=1).

    acct-report.py RESULTS/acct [TOP]

Reads the kernel's BSD process accounting records (version 3, one per exited process)
and prints, per command name, how many processes ran, their CPU time (user + system)
and their summed lifetimes, the TOP (default 25) by CPU time first, then the totals.
A process that execs keeps its pid but takes the new command's name: "ip netns exec
lb nft" is one record named nft.
"""
import collections
import struct
import sys

# struct acct_v3 (include/uapi/linux/acct.h): 64 bytes, times in AHZ (100 a second);
# utime and stime are comp_t (13-bit mantissa, 3-bit base-8 exponent), etime a float.
RECORD = struct.Struct("=BBHIIIIIIf8H16s")
AHZ = 100


def comp_t(v):
    return (v & 0x1fff) << (3 * (v >> 13))


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    per = collections.defaultdict(lambda: [0, 0.0, 0.0])  # name -> count, cpu, lifetime
    with open(path, "rb") as f:
        data = f.read()
    bad = 0
    for off in range(0, len(data) - RECORD.size + 1, RECORD.size):
        rec = RECORD.unpack_from(data, off)
        if rec[1] & 0x0f != 3:
            bad += 1
            continue
        etime, utime, stime, comm = rec[9], rec[10], rec[11], rec[18]
        name = comm.split(b"\0", 1)[0].decode(errors="replace") or "?"
        p = per[name]
        p[0] += 1
        p[1] += (comp_t(utime) + comp_t(stime)) / AHZ
        p[2] += etime / AHZ
    if bad:
        print("%s: %d records not of version 3 skipped" % (path, bad), file=sys.stderr)
    total_n = sum(p[0] for p in per.values())
    total_cpu = sum(p[1] for p in per.values())
    print("%-16s %8s %10s %6s %12s" % ("command", "count", "cpu s", "cpu %", "lifetime s"))
    for name, (n, cpu, life) in sorted(per.items(), key=lambda kv: -kv[1][1])[:top]:
        print("%-16s %8d %10.1f %5.1f%% %12.1f" % (name, n, cpu, 100 * cpu / (total_cpu or 1),
                                                   life))
    print("%-16s %8d %10.1f" % ("all", total_n, total_cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
