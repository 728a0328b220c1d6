#!/usr/bin/python3
"""report.py DIR [TOP] - the instruction profile of bench/profile.sh.

Reads DIR/blocks.txt (the insnprof plugin's windows), DIR/kallsyms (the guest's
/proc/kallsyms) and DIR/raw.tsv (which variant each window was, and the packets
it delivered); prints, per variant, the TOP functions by guest instructions per
delivered packet, and then, for each variant after the first, the functions
whose cost changed most against the first (the baseline: plain forwarding).
Writes DIR/profile.tsv: variant, function, instructions per packet.
"""
import bisect
import collections
import os
import sys


def load_kallsyms(path):
    addrs, names = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1].lower() not in "tw":
                continue
            addr = int(parts[0], 16)
            if addr == 0:
                continue
            name = parts[2] + (" " + parts[3] if len(parts) > 3 else "")
            addrs.append(addr)
            names.append(name)
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order]


def load_windows(path):
    windows, cur = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("# window "):
                cur = windows.setdefault(int(line.split()[2]), [])
                continue
            vaddr, insns, execs = line.split()
            cur.append((int(vaddr, 16), int(insns), int(execs)))
    return windows


def load_variants(path):
    """[(variant, window, delivered)] in window order."""
    rows = collections.defaultdict(dict)
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4 and parts[0] == "profile":
                rows[parts[1]][parts[2]] = int(parts[3])
    out = [(v, r["window"], r.get("delivered", 0)) for v, r in rows.items() if "window" in r]
    return sorted(out, key=lambda x: x[1])


def symbolize(addrs, names, blocks):
    cost = collections.Counter()
    for vaddr, insns, execs in blocks:
        if vaddr < 0xffff000000000000:
            name = "(user space)"
        else:
            i = bisect.bisect_right(addrs, vaddr) - 1
            name = names[i] if i >= 0 else "(unknown)"
        cost[name] += insns * execs
    return cost


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    d = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) == 3 else 25
    addrs, names = load_kallsyms(os.path.join(d, "kallsyms"))
    windows = load_windows(os.path.join(d, "blocks.txt"))
    per_pkt = {}
    for v, w, delivered in load_variants(os.path.join(d, "raw.tsv")):
        if w not in windows or not delivered:
            print("variant %s: no window %d or nothing delivered" % (v, w))
            continue
        cost = symbolize(addrs, names, windows[w])
        per_pkt[v] = {k: c / delivered for k, c in cost.items()}
    with open(os.path.join(d, "profile.tsv"), "w") as f:
        for v, costs in per_pkt.items():
            for k, c in sorted(costs.items(), key=lambda x: -x[1]):
                f.write("%s\t%s\t%.1f\n" % (v, k, c))
    for v, costs in per_pkt.items():
        total = sum(costs.values())
        print("variant %s: %.0f instructions per delivered packet" % (v, total))
        for k, c in sorted(costs.items(), key=lambda x: -x[1])[:top]:
            print("  %8.1f  %5.1f%%  %s" % (c, 100 * c / total, k))
        print()
    variants = list(per_pkt)
    if len(variants) > 1:
        base = variants[0]
        for v in variants[1:]:
            diff = {k: per_pkt[v].get(k, 0) - per_pkt[base].get(k, 0)
                    for k in set(per_pkt[v]) | set(per_pkt[base])}
            print("variant %s against %s: %+.0f instructions per packet; largest changes:"
                  % (v, base, sum(diff.values())))
            for k, c in sorted(diff.items(), key=lambda x: -abs(x[1]))[:top]:
                print("  %+8.1f  %s" % (c, k))
            print()


if __name__ == "__main__":
    main()
