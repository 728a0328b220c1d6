#!/usr/bin/python3
"""report.py RESULTS_DIR - the benchmark's table, machine-readable results and plot.
   report.py --runs RESULTS_DIR...  - the key ratios of several runs side by side.

Reads RESULTS_DIR/KERNEL/raw.tsv (bench/guest.sh, one per kernel), the packet rates of the
instruction-clock guest in RESULTS_DIR/KERNEL/icount/raw.tsv and RESULTS_DIR/callgrind.tsv
(bench/callgrind.sh); writes into RESULTS_DIR:
  results.json  everything measured, by kernel, metric, variant, key
  results.csv   the same, one value a line: kernel,metric,variant,key,value
  table.md      the summary tables (the README's Performance section)
  plot.png      the main comparisons
and prints table.md. Nothing here is a measurement: it only divides.
"""
import csv
import json
import os
import sys

VARIANTS = {
    "a": "(a) forward",
    "b": "(b) IPVS NAT",
    "c": "(c) nft ct NAT",
    "d": "(d) nftlvs fullnat",
    "e": "(e) nftlvs synproxy-lb",
    "s": "(s) nft synproxy",
}
COLS = "abcdes"


def load_raw(path):
    """raw.tsv as {metric: {variant: {key: value}}}."""
    k = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            metric, variant, key, value = parts
            try:
                value = float(value) if "." in value else int(value)
            except ValueError:
                pass
            k.setdefault(metric, {}).setdefault(variant, {})[key] = value
    return k


def load_icount(outdir):
    """{kernel: raw.tsv of its instruction-clock guest}."""
    out = {}
    for name in sorted(os.listdir(outdir)):
        raw = os.path.join(outdir, name, "icount", "raw.tsv")
        if os.path.isfile(raw):
            out[name] = load_raw(raw)
    return out


def load(outdir):
    kernels = {}
    for name in sorted(os.listdir(outdir)):
        raw = os.path.join(outdir, name, "raw.tsv")
        if not os.path.isfile(raw):
            continue
        k = load_raw(raw)
        status = os.path.join(outdir, name, "vm-status")
        if os.path.isfile(status):
            k.setdefault("info", {}).setdefault("host", {})["vm_status"] = \
                int(open(status).read().strip() or -1)
        size = os.path.join(outdir, name, "lvs_conn_size")
        if os.path.isfile(size) and open(size).read().strip().isdigit():
            k.setdefault("table", {}).setdefault("d", {})["struct_bytes"] = \
                int(open(size).read())
        kernels[name] = k
    cg = []
    path = os.path.join(outdir, "callgrind.tsv")
    if os.path.isfile(path):
        with open(path) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                cg.append({"op": row["op"], "iters": int(row["iters"]),
                           "instructions_per_op": float(row["instructions_per_op"]),
                           "ns_per_op": float(row["ns_per_op"] or 0)})
    return kernels, cg


def get(k, metric, variant, key):
    v = k.get(metric, {}).get(variant, {}).get(key)
    return v if isinstance(v, (int, float)) else None


def ratio(x, y):
    return x / y if x is not None and y else None


def fmt_n(x):
    if x is None:
        return "n/a"
    if x >= 10000:
        return "%.1fk" % (x / 1000)
    if x >= 100:
        return "%.0f" % x
    return "%.3g" % x


def fmt_r(r):
    return "n/a" if r is None else "%.2fx" % r


def fmt_r3(r):
    return "n/a" if r is None else "%.3fx" % r


def fmt_pct(x):
    return "n/a" if x is None else "%.2f%%" % (100 * x)


def fmt_spread(x):
    """The range of the rounds as a share of their median."""
    return "" if x is None else "±%.0f%%" % (50 * x)


ICOUNT_ROWS = [("a", "forward", "a"), ("n", "forward + nft chain at raw", "a"),
               ("m", "forward + lb-dispatch (lookup, miss)", "a"),
               ("b", "IPVS NAT", "a"), ("c", "nft ct NAT", "a"),
               ("d", "nftlvs fullnat", "a"),
               ("ft", "forward + nft flowtable", "a"),
               ("cft", "nft ct NAT + nft flowtable", "a"),
               ("f", "nftlvs fullnat, ingress fast path (netdev flowtable)", "a"),
               ("fc", "nftlvs fullnat, ingress fast path (lb-dispatch in netdev chains)", "a"),
               ("a6", "IPv6 forward", "a6"), ("b6", "IPv6 IPVS NAT", "a6"),
               ("d6", "nftlvs FNAT66", "a6"), ("d64", "nftlvs NAT64", "a6"),
               ("f6", "nftlvs FNAT66, ingress fast path (netdev flowtable)", "a6")]


def icount_table(kver, ic):
    """Packet rates on the instruction clock: each guest instruction takes 1 ns of guest
    time, so a rate is the inverse of the instructions spent per packet, over the whole
    path (pktgen, veth, the LB's stack, the server's receive)."""
    if ic.get("pps"):
        lines = ["**%s, instruction clock** (UDP packets/s, established flows; median of %s "
                 "rounds)" % (kver, len([x for x in ic["pps"].get("a", {})
                                         if x.startswith("pps.run")]) or "n/a"), "",
                 "| variant | packets/s | spread | ratio | instructions/packet |",
                 "|---|---|---|---|---|"]
    else:
        lines = ["**%s, instruction clock**" % kver]
    for v, label, base in ICOUNT_ROWS:
        x = get(ic, "pps", v, "pps")
        if x is None:
            continue
        ref = get(ic, "pps", base, "pps")
        lines.append("| (%s) %s | %s | %s | %s to (%s) | %s |" % (
            v, label, fmt_n(x), fmt_spread(get(ic, "pps", v, "spread")),
            fmt_r3(ratio(x, ref)), base, "%.0f" % (1e9 / x)))
    lines += [""] + bulk_table(ic, "instruction clock")
    return lines


BULK_ROWS = [("a", "forward"), ("b", "IPVS NAT"), ("c", "nft ct NAT"),
             ("d", "nftlvs fullnat"), ("ft", "forward + nft flowtable"),
             ("cft", "nft ct NAT + nft flowtable"),
             ("f", "nftlvs fullnat, ingress fast path")]


def bulk_runs(k, v, key):
    """The values of KEY.runN of a bulk variant, in round order."""
    runs = k.get("bulk", {}).get(v, {})
    keys = [x for x in runs if x.startswith(key + ".run")]
    return [runs[x] for x in sorted(keys, key=lambda x: int(x[len(key) + 4:]))]


def bulk_table(k, clock):
    """TCP bulk downloads (offloads on) per variant: large segments through GRO/GSO.
    Packets per MB are the client link's (data in, ACKs out), which shows the segment
    sizes each variant ends up with; idle is the guest's idle share during the download
    (on the instruction clock, time skipped while every endpoint waits)."""
    # Any subset of the rows (BULK_VARIANTS); a ratio to a row not measured is n/a.
    if all(get(k, "bulk", v, "rate") is None for v, _ in BULK_ROWS):
        return []
    lines = ["TCP bulk download, offloads on (MB/s on the %s; median of the rounds)" % clock,
             "", "| variant | MB/s | spread | ratio to (a) | ratio to (ft) | packets/MB in, out "
             "| idle |", "|---|---|---|---|---|---|---|"]
    ref, ref_ft = get(k, "bulk", "a", "rate"), get(k, "bulk", "ft", "rate")
    mb = get(k, "info", "bulk", "bytes")
    for v, label in BULK_ROWS:
        x = get(k, "bulk", v, "rate")
        if x is None:
            continue
        rx, tx = bulk_runs(k, v, "rx_pkts"), bulk_runs(k, v, "tx_pkts")
        idle = bulk_runs(k, v, "idle")
        pkts = ("%.1f, %.1f" % (sum(rx) / len(rx) / (mb / 1e6), sum(tx) / len(tx) / (mb / 1e6))
                if rx and tx and mb else "")
        lines.append("| (%s) %s | %.0f | %s | %s | %s | %s | %s |" % (
            v, label, x / 1e6, fmt_spread(get(k, "bulk", v, "spread")),
            fmt_r3(ratio(x, ref)), fmt_r3(ratio(x, ref_ft)), pkts,
            "%.0f%%" % (100 * sorted(idle)[len(idle) // 2]) if idle else ""))
    return lines


def flood(k, v):
    """SYN-ACKs per second, share answered, real-client success."""
    secs = get(k, "flood", v, "seconds")
    sent = get(k, "flood", v, "sent")
    synack = get(k, "flood", v, "synack")
    ok = get(k, "flood", v, "client_ok")
    bad = get(k, "flood", v, "client_failed")
    rate = synack / secs if synack is not None and secs else None
    share = ratio(synack, sent)
    success = ratio(ok, (ok or 0) + (bad or 0)) if ok is not None else None
    return rate, share, success, ratio(sent, secs)


def kernel_rows(k):
    """Rows of (metric, {variant: cell}, ratio text, target text, verdict)."""
    rows = []

    pps = {v: get(k, "pps", v, "pps") for v in "abcd"}
    cells = {v: "%s %s (%s)" % (fmt_n(x), fmt_spread(get(k, "pps", v, "spread")),
                                fmt_r(ratio(x, pps["a"])))
             for v, x in pps.items() if x is not None}
    cells["e"] = "= (d)"
    r = ratio(pps["d"], pps["a"])
    rows.append(("UDP packets/s delivered, established flows (median, spread; ratio to a)",
                 cells,
                 "d/a " + fmt_r3(r), "d >= 0.95x a",
                 None if r is None else r >= 0.95))

    # The fast paths: nftlvs's at ingress (f) against forwarding (a) and the flowtable (ft).
    pf, pft = get(k, "pps", "f", "pps"), get(k, "pps", "ft", "pps")
    if pf is not None:
        rf, rft = ratio(pf, pps["a"]), ratio(pf, pft)
        rows.append(("UDP packets/s, ingress fast path (f; ft: forwarding with a flowtable)",
                     {"d": "f %s %s (%s to a, %s to ft); ft %s" % (
                         fmt_n(pf), fmt_spread(get(k, "pps", "f", "spread")), fmt_r(rf),
                         fmt_r(rft), fmt_n(pft))},
                     "f/a " + fmt_r3(rf) + ", f/ft " + fmt_r3(rft),
                     "f >= 1.3x a, f >= 1.0x ft",
                     None if rf is None or rft is None else rf >= 1.3 and rft >= 1.0))

    # IPv6 twins of (a), (b) and (d), shown in their columns.
    pps6 = {v: get(k, "pps", v + "6", "pps") for v in "abd"}
    if any(x is not None for x in pps6.values()):
        cells = {v: "%s (%s)" % (fmt_n(x), fmt_r(ratio(x, pps6["a"])))
                 for v, x in pps6.items() if x is not None}
        r = ratio(pps6["d"], pps6["a"])
        rows.append(("IPv6 UDP packets/s delivered, established flows (ratio to a)", cells,
                     "d/a " + fmt_r3(r), "d >= 0.95x a",
                     None if r is None else r >= 0.95))
    # NAT64: IPv6 clients, IPv4 servers, in (d)'s column; compared with FNAT66 and IPv4.
    p64 = get(k, "pps", "d64", "pps")
    if p64 is not None:
        rows.append(("NAT64 UDP packets/s delivered (IPv6 clients, IPv4 servers; ratio to d6)",
                     {"d": "%s (%s to d6, %s to d)" % (fmt_n(p64), fmt_r(ratio(p64, pps6["d"])),
                                                       fmt_r(ratio(p64, pps["d"])))},
                     "d64/d6 " + fmt_r3(ratio(p64, pps6["d"])), "", None))

    cps = {v: get(k, "cps", v, "rate") for v in "abcde"}
    cells = {v: "%s (%s)" % (fmt_n(x), fmt_r(ratio(x, cps["b"])))
             for v, x in cps.items() if x is not None}
    r = ratio(cps["d"], cps["b"])
    rows.append(("new TCP connections/s (ratio to b)", cells,
                 "d/b " + fmt_r3(r), "d > b", None if r is None else r > 1))

    fe, fs = flood(k, "e"), flood(k, "s")
    r = ratio(fe[0], fs[0])
    rows.append(("SYN flood: SYNs answered/s (offered/s)",
                 {"e": "%s (%s)" % (fmt_n(fe[0]), fmt_n(fe[3])),
                  "s": "%s (%s)" % (fmt_n(fs[0]), fmt_n(fs[3]))},
                 "e/s " + fmt_r3(r), "e > s", None if r is None else r > 1))
    rows.append(("SYN flood: share of SYNs answered",
                 {"e": fmt_pct(fe[1]), "s": fmt_pct(fs[1])}, "", "", None))
    ok = fe[2] is not None and fe[2] >= 1.0
    rows.append(("SYN flood: real-client connections/s meanwhile",
                 {v: fmt_n(ratio(get(k, "flood", v, "client_ok"),
                                 get(k, "flood", v, "seconds"))) for v in "es"},
                 "", "", None))
    rows.append(("SYN flood: real-client connections that succeeded",
                 {"e": fmt_pct(fe[2]), "s": fmt_pct(fs[2])}, "", "e 100%",
                 None if fe[2] is None else ok))

    for label in ("100k", "1M"):
        conns = get(k, "table", "d", "conns." + label)
        slab = get(k, "table", "d", "slab_bytes_per_conn." + label)
        kmem = get(k, "table", "d", "kmem_bytes_per_conn." + label)
        cell = "%s B struct, %s B slab, %s B all (%s conns)" % (
            fmt_n(get(k, "table", "d", "struct_bytes")), fmt_n(slab), fmt_n(kmem), fmt_n(conns))
        rows.append(("memory per connection at %s" % label, {"d": cell},
                     "", "<= 256 B", None if kmem is None else kmem <= 256))

    for v, path in (("d", "prerouting"), ("f", "ingress fast path")):
        p1k, p1m = get(k, "table", v, "pps.1k"), get(k, "table", v, "pps.1M")
        if p1k is None:
            continue
        r = ratio(p1m, p1k)
        rows.append(("UDP packets/s with 1M connections vs 1k (%s)" % path,
                     {"d": "%s vs %s" % (fmt_n(p1m), fmt_n(p1k))},
                     "1M/1k " + fmt_r3(r), "flat (>= 0.95x)",
                     None if r is None else r >= 0.95))
    return rows


def md_table(kver, k):
    lines = ["**%s**" % kver, "",
             "| metric | " + " | ".join(VARIANTS[c] for c in COLS) +
             " | ratio | target |",
             "|---" * (len(COLS) + 3) + "|"]
    for metric, cells, rtext, target, verdict in kernel_rows(k):
        mark = {True: " (met)", False: " (**missed**)", None: ""}[verdict]
        lines.append("| %s | %s | %s | %s%s |" % (
            metric, " | ".join(cells.get(c, "") for c in COLS), rtext,
            target, mark if target else ""))
    return lines


def notes(kver, k):
    out = []
    a = get(k, "pps", "a", "pps")
    steps = [(v, get(k, "pps", v, "pps")) for v in "nmd"]
    if a and all(x for _, x in steps):
        out.append("%s: packet rate from (a) to (d), ratio to (a): an nft chain at "
                   "prerouting/raw %s, + lb-dispatch looking up and missing %s, "
                   "+ translation and own transmit (d) %s"
                   % ((kver,) + tuple(fmt_r(x / a) for _, x in steps)))
    status = get(k, "info", "host", "vm_status")
    if status:
        out.append("%s: the VM ended with status %d (see its console.log)" % (kver, status))
    for phase, st in k.get("info", {}).get("phase", {}).items():
        if st != "ok":
            out.append("%s: phase %s failed; its numbers are missing" % (kver, phase))
    for v in "abcde":
        keys = k.get("cps", {}).get(v, {})
        bad = sum(x for key, x in keys.items() if key.startswith("failed."))
        ok = sum(x for key, x in keys.items() if key.startswith("ok."))
        if bad:
            out.append("%s: connection rate %s: %d of %d connections failed or took "
                       "over 3 s" % (kver, VARIANTS[v], bad, bad + ok))
    if "e" in k.get("flood", {}):
        n = get(k, "flood", "e", "synproxy_counters") or 0
        syn = get(k, "flood", "e", "synproxy_syn")
        if not n or not syn:
            out.append("%s: synproxy-lb reported no SYN-cookie counters (synproxy_syn): "
                       "the SYN-ACKs of (e) came from the real servers, not from a "
                       "SYN cookie" % kver)
        rs = get(k, "flood", "e", "syn_at_rs")
        ok = get(k, "flood", "e", "client_ok")
        if rs is not None and ok is not None:
            out.append("%s: during the floods against (e) the real servers saw %d SYNs "
                       "for %d real connections (synproxy_syn_retry %s, "
                       "synproxy_queue_full %s, synproxy_rs_error %s)"
                       % (kver, rs, ok, get(k, "flood", "e", "synproxy_syn_retry"),
                          get(k, "flood", "e", "synproxy_queue_full"),
                          get(k, "flood", "e", "synproxy_rs_error")))
    return out


def load_host_calib(outdir):
    """bench/run.sh's host timings of the healthd phase's calibration work."""
    calib = {}
    path = os.path.join(outdir, "host-calib.tsv")
    if os.path.isfile(path):
        for line in open(path):
            key, _, value = line.rstrip("\n").partition("\t")
            try:
                calib[key] = float(value)
            except ValueError:
                calib[key] = value
    return calib


def guest_factor(v, calib, kind):
    """How many times more CPU time the guest counted for the calibration work than the
    host: the mean of the guest's timings before and after the measured window."""
    xs = [v.get("calib_%s_s.%s" % (kind, w)) for w in ("before", "after")]
    xs = [x for x in xs if isinstance(x, (int, float))]
    host = calib.get("calib_%s_s" % kind)
    if not xs or not isinstance(host, (int, float)) or not host:
        return None
    return sum(xs) / len(xs) / host


def healthd_rows(k, calib=None):
    """nftlvs-healthd: one row per variant (servers, check)."""
    hd = k.get("healthd", {})
    par = hd.get("params", {})
    interval, timeout = par.get("interval_s"), par.get("timeout_s")
    fall = par.get("fall")
    bound = interval * fall + timeout if None not in (interval, timeout, fall) else None
    rows = []
    for name, v in sorted(hd.items(), key=lambda x: (x[1].get("servers", 0) if isinstance(
            x[1].get("servers"), int) else 0, str(x[1].get("check")))):
        if name == "params":
            continue
        cpu = v.get("cpu_pct")
        lat = []
        for kind in ("reset", "drop"):
            last, m, seen = v.get(kind + ".last_s"), v.get(kind + ".failed"), v.get(kind + ".seen")
            if last is None or not seen:
                lat.append(("n/a", None))
                continue
            lat.append(("%.2f / %.2f / %.2f s (%s of %s)" % (
                v.get(kind + ".first_s"), v.get(kind + ".median_s"), last, seen, m),
                None if bound is None else (last <= bound and seen == m)))
        fs = guest_factor(v, calib or {}, "syscall")
        fl = guest_factor(v, calib or {}, "loop")
        up = v.get("startup_s")
        if up is not None and v.get("up_at_start") != v.get("servers"):
            up = "%s of %s up after %.1f s" % (v.get("up_at_start"), v.get("servers"), up)
        rows.append((v.get("servers"), v.get("check"), up, cpu,
                     v.get("checks_per_s"), lat, v.get("load_before"), v.get("load_after"),
                     fs, fl, (v.get("napi_threaded"), v.get("napi_cpu_pct"),
                              v.get("server_cpu_pct"))))
    return rows, bound


def healthd_table(kver, k, calib=None, loads=None):
    """The healthd phase of one kernel. The goal (< 5% of one core at 1,000 tcp servers)
    is judged only where the daemon ran natively (bench/host-healthd.sh): in the emulated
    guest every system call costs several times more CPU time."""
    rows, bound = healthd_rows(k, calib)
    if not rows:
        return []
    native = k.get("info", {}).get("host", {}).get("native") == 1
    par = k["healthd"].get("params", {})
    mark = {True: " (met)", False: " (**missed**)", None: ""}
    where = "natively on the host" if native else "in the emulated guest"
    lines = ["**%s: nftlvs-healthd, %s** (interval %ss, timeout %ss, rise %s, fall %s; "
             "failure bound interval x fall + timeout = %s s)" % (
                 kver, where, par.get("interval_s"), par.get("timeout_s"), par.get("rise"),
                 par.get("fall"), fmt_n(bound)), "",
             "| servers, check | all up after start | daemon CPU, % of one core "
             "| receive path (both NAPI threads), server | guest/host CPU time for the same "
             "work (syscalls, loop) | daemon CPU scaled to the host (by the syscall factor) "
             "| checks/s | refused (TCP reset): out of the map first / median / last "
             "| silent (dropped): first / median / last | load 1 min |",
             "|---" * 10 + "|"]
    for n, check, up, cpu, cps, lat, l0, l1, fs, fl, side in rows:
        if native:
            scaled, factors = "(native)", "(native)"
        else:
            scaled = "n/a" if cpu is None or not fs else "%.2f%%" % (cpu / fs)
            factors = "%s, %s" % ("n/a" if fs is None else "%.1fx" % fs,
                                  "n/a" if fl is None else "%.1fx" % fl)
        threaded, napi, server = side
        if threaded == 0:
            others = "in the daemon's figure (no threaded NAPI)"
        elif napi is None:
            others = "n/a"
        else:
            others = "%.2f%%, %.2f%%" % (napi, server or 0)
        target = ""
        if native and n == 1000 and check == "tcp" and cpu is not None:
            target = " (target < 5%%: %s)" % ("met" if cpu < 5 else "**missed**")
        lines.append("| %s, %s | %s | %s%s | %s | %s | %s | %s | %s%s | %s%s | %s-%s |" % (
            n, check, "n/a" if up is None else up if isinstance(up, str) else "%.1f s" % up,
            "n/a" if cpu is None else "%.2f%%" % cpu, target, others, factors, scaled,
            "n/a" if cps is None else "%.0f" % cps, lat[0][0], mark[lat[0][1]], lat[1][0],
            mark[lat[1][1]], "n/a" if l0 is None else l0, "n/a" if l1 is None else l1))
    if loads:
        lines += ["", "Host load (1, 5, 15 min) when the guest started: %s; when it ended: "
                  "%s; at the host's calibration: %s." % (
                      loads.get("before", "n/a"), loads.get("after", "n/a"),
                      (calib or {}).get("load", "n/a"))]
    return lines


def cg_table(cg):
    lines = ["| operation | instructions/op (callgrind) | ns/op (host, native) |",
             "|---|---|---|"]
    for row in cg:
        lines.append("| %s | %.0f | %.1f |" % (row["op"], row["instructions_per_op"],
                                              row["ns_per_op"]))
    return lines


ICOUNT_PLOT = ["a", "b", "c", "d", "ft", "cft", "f"]
ICOUNT_PLOT_LABELS = {"ft": "(ft) flowtable", "cft": "(cft) ct NAT + flowtable",
                      "f": "(f) nftlvs fast path"}


def plot(kernels, path, icount=None):
    """The wall-clock guest's figures per kernel, and, when the run has them, the
    instruction clock's UDP packet rates and TCP bulk rates against the flowtable."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # The host's own healthd phase has no guest figures to plot.
    names = [kv for kv in kernels if "pps" in kernels[kv] or "cps" in kernels[kv]]
    icount = {kv: ic for kv, ic in (icount or {}).items() if ic.get("pps") or ic.get("bulk")}
    rows = 3 if icount else 2
    fig, axes = plt.subplots(rows, 2, figsize=(13, 4.5 * rows))
    width = 0.8 / max(1, len(names))

    def bars(ax, variants, values, title, ylabel, fmt="%.2f", data=None, labels=None):
        data = data if data is not None else kernels
        keys = list(data)
        w = 0.8 / max(1, len(keys))
        for i, kv in enumerate(keys):
            xs = [j + i * w for j in range(len(variants))]
            ys = [values(data[kv], v) or 0 for v in variants]
            b = ax.bar(xs, ys, w, label=kv)
            ax.bar_label(b, fmt=fmt, fontsize=7)
        ax.set_xticks([j + w * (len(keys) - 1) / 2 for j in range(len(variants))])
        ax.set_xticklabels([(labels or VARIANTS).get(v, v) for v in variants],
                           rotation=15, fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.legend(fontsize=7, loc="lower right")

    kernels = {kv: kernels[kv] for kv in names}
    bars(axes[0][0], "abcd",
         lambda k, v: ratio(get(k, "pps", v, "pps"), get(k, "pps", "a", "pps")),
         "Established UDP flows: packets/s delivered, ratio to plain forwarding",
         "x (a)")
    axes[0][0].axhline(0.95, color="grey", linestyle="--", linewidth=0.8)
    bars(axes[0][1], "abcde",
         lambda k, v: ratio(get(k, "cps", v, "rate"), get(k, "cps", "b", "rate")),
         "New TCP connections/s, ratio to IPVS NAT", "x (b)")
    bars(axes[1][0], "es", lambda k, v: flood(k, v)[0],
         "SYN flood: SYN-ACKs per second (labels: real-client success share)",
         "SYNs answered / s", fmt="%.0f")
    for i, kv in enumerate(names):
        for j, v in enumerate("es"):
            s = flood(kernels[kv], v)[2]
            if s is not None:
                axes[1][0].annotate(fmt_pct(s), (j + i * width, 0), fontsize=7,
                                    ha="center", va="bottom", color="white")
    ax = axes[1][1]
    labels = ["slab 100k", "all 100k", "slab 1M", "all 1M"]
    keys = ["slab_bytes_per_conn.100k", "kmem_bytes_per_conn.100k",
            "slab_bytes_per_conn.1M", "kmem_bytes_per_conn.1M"]
    for i, kv in enumerate(names):
        xs = [j + i * width for j in range(len(keys))]
        b = ax.bar(xs, [get(kernels[kv], "table", "d", key) or 0 for key in keys],
                   width, label=kv)
        ax.bar_label(b, fontsize=7)
    ax.axhline(256, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(keys))])
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_title("nftlvs connection table: kernel memory per connection", fontsize=10)
    ax.set_ylabel("bytes", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    if icount:
        labels = dict(VARIANTS, **ICOUNT_PLOT_LABELS)
        bars(axes[2][0], ICOUNT_PLOT,
             lambda k, v: ratio(get(k, "pps", v, "pps"), get(k, "pps", "a", "pps")),
             "Instruction clock: UDP packets/s, ratio to plain forwarding", "x (a)",
             fmt="%.3f", data=icount, labels=labels)
        axes[2][0].set_ylim(0.6, None)
        bars(axes[2][1], ICOUNT_PLOT,
             lambda k, v: ratio(get(k, "bulk", v, "rate"), get(k, "bulk", "ft", "rate")),
             "Instruction clock: TCP bulk MB/s, ratio to the flowtable (ft)", "x (ft)",
             fmt="%.3f", data=icount, labels=labels)
        axes[2][1].set_ylim(0.6, None)
    fig.suptitle("nftlvs benchmark (QEMU/TCG guest: compare ratios, not absolute numbers)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def runs_table(dirs):
    """Key ratios of several runs, one line per run and kernel."""
    lines = ["| run | kernel | pps d/a | conn/s d/b | conn/s e/b | SYNs/s e/s | "
             "real clients ok e, s | pps 1M/1k | B/conn 1M |",
             "|---" * 9 + "|"]
    for d in dirs:
        kernels, _ = load(d)
        for kv, k in kernels.items():
            fe, fs = flood(k, "e"), flood(k, "s")
            lines.append("| %s | %s | %s | %s | %s | %s | %s, %s | %s | %s |" % (
                os.path.basename(os.path.normpath(d)).replace("results-", ""), kv,
                fmt_r(ratio(get(k, "pps", "d", "pps"), get(k, "pps", "a", "pps"))),
                fmt_r(ratio(get(k, "cps", "d", "rate"), get(k, "cps", "b", "rate"))),
                fmt_r(ratio(get(k, "cps", "e", "rate"), get(k, "cps", "b", "rate"))),
                fmt_r(ratio(fe[0], fs[0])), fmt_pct(fe[2]), fmt_pct(fs[2]),
                fmt_r(ratio(get(k, "table", "d", "pps.1M"), get(k, "table", "d", "pps.1k"))),
                fmt_n(get(k, "table", "d", "kmem_bytes_per_conn.1M"))))
    return lines


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--runs":
        print("\n".join(runs_table(sys.argv[2:])))
        return
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_DIR | report.py --runs RESULTS_DIR...")
    outdir = sys.argv[1]
    kernels, cg = load(outdir)
    icount = load_icount(outdir)
    if not kernels and not icount:
        sys.exit("report: no KERNEL/raw.tsv in %s" % outdir)
    host_calib = load_host_calib(outdir)

    summary = {kv: [{"metric": m, "cells": c, "ratio": r, "target": t, "met": v}
                    for m, c, r, t, v in kernel_rows(k)] for kv, k in kernels.items()}
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"kernels": kernels, "summary": summary, "callgrind": cg,
                   "host_calib": host_calib, "icount": icount}, f,
                  indent=1, sort_keys=True)
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kernel", "metric", "variant", "key", "value"])
        for kv, k in kernels.items():
            for metric, variants in sorted(k.items()):
                for variant, keys in sorted(variants.items()):
                    for key, value in sorted(keys.items()):
                        w.writerow([kv, metric, variant, key, value])
        for kv, ic in icount.items():
            for variant, keys in sorted(ic.get("pps", {}).items()):
                for key, value in sorted(keys.items()):
                    w.writerow([kv, "icount.pps", variant, key, value])
        for row in cg:
            for key in ("instructions_per_op", "ns_per_op", "iters"):
                w.writerow(["host", "callgrind", row["op"], key, row[key]])

    lines = []
    path = os.path.join(outdir, "source.txt")
    if os.path.isfile(path):
        src = open(path).read().split("\n")
        changed = [x.split()[-1] for x in src[1:] if x.strip()]
        lines += ["Measured at %s%s." % (src[0], "" if not changed else
                  " (module sources differing from the commit: %s)" % ", ".join(changed)),
                  ""]
    for kv, k in kernels.items():
        if any(m in k for m in ("pps", "cps", "flood")) or \
                len(k.get("table", {}).get("d", {})) > 1:
            lines += md_table(kv, k) + [""]
        bulk = bulk_table(k, "wall clock")
        if bulk:
            lines += ["**%s**" % kv, ""] + bulk + [""]
        loads = {}
        for w in ("before", "after"):
            path = os.path.join(outdir, kv, "host-load-" + w)
            if os.path.isfile(path):
                loads[w] = open(path).read().strip()
        hd = healthd_table(kv, k, host_calib, loads)
        if hd:
            lines += hd + [""]
    for kv, ic in icount.items():
        lines += icount_table(kv, ic) + [""]
    if cg:
        lines += ["**portable core (userspace, callgrind)**", ""] + cg_table(cg) + [""]
    note = [n for kv, k in kernels.items() for n in notes(kv, k)]
    if note:
        lines += ["Notes:", ""] + ["- " + n for n in note] + [""]
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    try:
        plot(kernels, os.path.join(outdir, "plot.png"), icount)
    except ImportError as e:
        print("report: no plot (%s)" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
