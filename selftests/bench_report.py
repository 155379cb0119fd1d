#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Figures of "make bench" (selftests/bench.sh): medians, ratios, targets.

bench_report.py --one KIND IPERF_JSON RX_PACKETS
    one run in a line (printed as the bench goes)
bench_report.py --runs FILE --json OUT [--kernel K] [--cpus N] [--time S]
                [--reps N] [--relay R] [--failed "CFG..."]
    the table and OUT (JSON).  FILE has one line per run:
    CFG REP KIND RC RX0 RX1 BUSY0 TOTAL0 BUSY1 TOTAL1 IPERF_JSON
    (KIND: tcp, tcp-rev, tcp4 or udp64; RX: packets received by the
    native host, by the client for tcp-rev; BUSY/TOTAL: /proc/stat
    jiffies of all CPUs).  Ratios are medians of the ratios of each
    repetition (the runs of one repetition are close in time, so they
    share the machine's load).
"""
import argparse
import json
import os
import statistics
import sys
import time

USER_HZ = os.sysconf("SC_CLK_TCK")
CONFIGS = ["teredo", "sit+fou", "miredo", "sit+fou-nogso"]
RELAYS = {"sit+fou": "kernel sit+fou", "miredo": "miredo",
          "sit+fou-nogso": "kernel, no GSO"}
# (metric, better when higher, target ratio vs sit+fou, vs miredo; None:
# no target)
TARGETS = [("tcp_mbit_s", 0.9, 5.0), ("udp64_kpps", 0.9, 5.0)]
# The TCP kinds: the prefix of their keys (PREFIX_mbit_s, PREFIX_bytes,
# cpu_ns_per_byte_PREFIX).  tcp-rev: iperf3 -R, h6 -> c1 (the relay's
# transmit side); tcp4: iperf3 -P 4, c1 -> h6.  Each with the receiver's
# figures, end.sum_received (for -R the receiver is the client; with -P
# the sum of the flows).
TCP_KINDS = {"tcp": "tcp", "tcp-rev": "tcp_rev", "tcp4": "tcp4"}
# The kinds of issue 16 item 4, in a table of their own (if they were
# run: BENCH_KINDS): (kind, label, target ratio vs sit+fou, the target's
# name in the issue).
MORE_TCP = [("tcp-rev", "h6 -> c1", 1.0, "TCP bulk native -> client"),
            ("tcp4", "4 flows", 1.0, "4 flows")]
# The figures of each configuration that are compared as ratios.
RATIO_METRICS = ("tcp_mbit_s", "udp64_kpps", "cpu_ns_per_byte_tcp",
                 "cpu_us_per_pkt_udp64", "tcp_rev_mbit_s",
                 "cpu_ns_per_byte_tcp_rev", "tcp4_mbit_s",
                 "cpu_ns_per_byte_tcp4")


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def one_run(kind, doc, rx):
    """Figures of one iperf3 run; rx: packets the receiving end (the
    native host; the client for tcp-rev) received."""
    end = doc.get("end", {})
    out = {}
    if kind in TCP_KINDS:
        pre = TCP_KINDS[kind]
        s = end.get("sum_received", {})
        secs = s.get("seconds") or 0
        if secs:
            out[pre + "_mbit_s"] = s.get("bits_per_second", 0) / 1e6
            out[pre + "_bytes"] = s.get("bytes", 0)
    else:
        s = end.get("sum_sent", end.get("sum", {}))
        secs = s.get("seconds") or 0
        if secs:
            out["udp64_kpps"] = rx / secs / 1e3
            out["udp64_sent_kpps"] = s.get("packets", 0) / secs / 1e3
    if not out and doc.get("error"):
        out["error"] = doc["error"]
    return out, secs


def parse_runs(path):
    runs = []
    try:
        f = open(path)
    except OSError:
        return runs
    with f:
        for line in f:
            w = line.split()
            if len(w) < 11:
                continue
            cfg, rep, kind, rc = w[0], int(w[1]), w[2], int(w[3])
            rx0, rx1, b0, t0, b1, t1 = (int(x) for x in w[4:10])
            fig, secs = one_run(kind, load(w[10]), rx1 - rx0)
            r = {"config": cfg, "rep": rep, "kind": kind, "rc": rc,
                 "packets_at_c1" if kind == "tcp-rev" else "packets_at_h6":
                 rx1 - rx0, "seconds": secs}
            r.update(fig)
            busy = (b1 - b0) / USER_HZ
            if t1 > t0:
                r["cpu_busy_pct"] = 100.0 * (b1 - b0) / (t1 - t0)
            # TCP segments cross the veths as GSO/GRO super-packets of
            # different sizes per tunnel: count CPU per byte delivered.
            pre = TCP_KINDS.get(kind)
            if pre and r.get(pre + "_bytes"):
                r["cpu_ns_per_byte_" + pre] = busy * 1e9 / r[pre + "_bytes"]
            elif kind == "udp64" and rx1 > rx0:
                r["cpu_us_per_pkt_udp64"] = busy * 1e6 / (rx1 - rx0)
            runs.append(r)
    return runs


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs, relay):
    cfgs = {}
    for cfg in CONFIGS:
        mine = [r for r in runs if r["config"] == cfg]
        if not mine:
            continue
        c = {"relay": RELAYS.get(cfg, relay)}
        for key in ("udp64_sent_kpps",) + RATIO_METRICS:
            c[key] = med([r.get(key) for r in mine])
        c["runs"] = mine
        cfgs[cfg] = c
    return cfgs


def ratio(runs, metric, a, b):
    """Median over the repetitions of metric(a) / metric(b)."""
    per = []
    for rep in sorted({r["rep"] for r in runs}):
        va = [r[metric] for r in runs
              if r["config"] == a and r["rep"] == rep and metric in r]
        vb = [r[metric] for r in runs
              if r["config"] == b and r["rep"] == rep and metric in r]
        if va and vb and vb[0] > 0:
            per.append(va[0] / vb[0])
    return med(per)


def read_rows(path):
    try:
        with open(path) as f:
            return [line.split() for line in f]
    except (OSError, TypeError):
        return []



def rep_ratios(num, den):
    """TCP Mb/s of each run of num / that of den's run of the same repetition."""
    return [a["tcp_mbit_s"] / b["tcp_mbit_s"]
            for b in den for a in num
            if a["rep"] == b["rep"] and b.get("tcp_mbit_s") and
            a.get("tcp_mbit_s") is not None]

def scale_figures(args):
    """The peer table: growth, memory, lookup cost, flood."""
    out = {}
    rows = []
    try:
        with open(args.scale) as f:
            for line in f:
                w = line.split()
                if len(w) == 5:
                    n, present, ms, kb0, kb1 = (int(x) if x.isdigit() else 0
                                                for x in w)
                    rows.append({"peers_wanted": n, "peers_present": present,
                                 "ms": ms, "slab_kb_before": kb0,
                                 "slab_kb_after": kb1,
                                 "bytes_per_peer": (kb1 - kb0) * 1024 / present
                                 if present else None})
    except (OSError, TypeError):
        pass
    lookup = parse_runs(args.lookup) if args.lookup else []
    perf = {}
    for w in read_rows(args.lookup_perf):
        if len(w) == 4:
            perf[int(w[0])] = (int(w[1]), int(w[3]))
    for r in rows:
        for run in lookup:
            if run["rep"] == r["peers_wanted"]:
                r["udp64_kpps"] = run.get("udp64_kpps")
                r["cpu_us_per_pkt_udp64"] = run.get("cpu_us_per_pkt_udp64")
                sent = run.get("udp64_sent_kpps", 0) * 1e3 * run["seconds"]
                if r["peers_wanted"] in perf and sent:
                    samples, hz = perf[r["peers_wanted"]]
                    # each sample stands for 1/hz s of one CPU
                    r["lookup_ns_per_pkt"] = samples * 1e9 / hz / sent
    if rows:
        out["peer_table"] = rows
    idle = parse_runs(args.idle) if args.idle else []
    flood = parse_runs(args.flood) if args.flood else []
    per = rep_ratios(flood, idle)
    # The first idle run is the only one before any flood; every later
    # one follows a flood, its peers still in the table.
    before = [r for r in idle if r["rep"] == 1 and r.get("tcp_mbit_s")]
    after = [r for r in idle if r["rep"] > 1 and
             r.get("tcp_mbit_s") is not None]
    peers = {}
    for w in read_rows(args.flood_peers):
        if len(w) == 3 and w[0] == "idle" and w[2].isdigit():
            peers[int(w[1])] = int(w[2])
    control = parse_runs(args.control) if args.control else []
    per_control = rep_ratios(control, idle)
    # The same flood at a closed port: what any host pays for it.
    per_vs_control = rep_ratios(flood, control)
    if idle or flood:
        out["flood"] = {"sources": args.flood_sources,
                        "from": args.flood_from,
                        "pps": int(args.flood_pps) if args.flood_pps
                        else None,
                        "vs_control_ratio": med(per_vs_control),
                        "vs_control_ratios": per_vs_control,
                        "control_ratio": med(per_control),
                        "control_ratios": per_control,
                        "ratios": per,
                        "idle_before_tcp_mbit_s": before[0]["tcp_mbit_s"]
                        if before else None,
                        "idle_after_tcp_mbit_s": [r["tcp_mbit_s"]
                                                  for r in after],
                        "idle_after_peers": [peers.get(r["rep"])
                                             for r in after],
                        "idle_after_ratio": med([r["tcp_mbit_s"] for r in
                                                 after]) /
                        before[0]["tcp_mbit_s"] if before and after else None,
                        "idle_tcp_mbit_s": med([r.get("tcp_mbit_s")
                                                for r in idle]),
                        "flood_tcp_mbit_s": med([r.get("tcp_mbit_s")
                                                 for r in flood]),
                        "ratio": med(per), "runs": idle + flood,
                        "bubbles_per_run": med([int(w[1]) for w in
                                                read_rows(args.flood_sent)
                                                if len(w) == 2])}
    return out


def print_scale(sc):
    rows = sc.get("peer_table")
    if rows:
        print("peer table      present  time ms  slab +kB  bytes/peer"
              "  UDP64 kpps  CPU us/pkt  lookup ns/pkt")
        for r in rows:
            print("%-13d %9d %8d %9d %11s %11s %11s %14s" % (
                r["peers_wanted"], r["peers_present"], r["ms"],
                r["slab_kb_after"] - r["slab_kb_before"],
                fmt(r["bytes_per_peer"], ".0f"),
                fmt(r.get("udp64_kpps"), ".2f"),
                fmt(r.get("cpu_us_per_pkt_udp64"), ".1f"),
                fmt(r.get("lookup_ns_per_pkt"), ".0f")))
    fl = sc.get("flood")
    if fl:
        print("flood of %s sources from %s at %s (%s bubbles per run):"
              " legit TCP %s Mb/s idle, %s Mb/s flooded, ratio %s" % (
                  fl["sources"],
                  {"host": "outside the guest", "guest": "inside the guest"}
                  .get(fl.get("from"), "?"),
                  "%s packets/s" % fl["pps"] if fl.get("pps")
                  else "full speed", fl["bubbles_per_run"],
                  fmt(fl["idle_tcp_mbit_s"], ".1f"),
                  fmt(fl["flood_tcp_mbit_s"], ".1f"), fmt(fl["ratio"], ".2f")))
        print("  flood/idle: %s (per repetition: %s)" % (
            fmt(fl["ratio"], ".2f"),
            " ".join(fmt(r, ".2f") for r in fl.get("ratios", []))))
        if fl.get("control_ratios"):
            print("  control (the generator at a closed port)/idle: %s"
                  " (per repetition: %s)" % (
                      fmt(fl["control_ratio"], ".2f"),
                      " ".join(fmt(r, ".2f") for r in fl["control_ratios"])))
        if fl.get("vs_control_ratios"):
            print("  flood/control (what teredo adds to the flood's cost):"
                  " %s (per repetition: %s)" % (
                      fmt(fl["vs_control_ratio"], ".2f"),
                      " ".join(fmt(r, ".2f")
                               for r in fl["vs_control_ratios"])))
        print("  idle after flood / idle before: %s (before: %s Mb/s;"
              " after: %s Mb/s with %s peers in the table)" % (
                  fmt(fl.get("idle_after_ratio"), ".2f"),
                  fmt(fl.get("idle_before_tcp_mbit_s"), ".1f"),
                  " ".join(fmt(v, ".1f")
                           for v in fl.get("idle_after_tcp_mbit_s", [])),
                  " ".join(str(v) for v in fl.get("idle_after_peers", []))))


def scale_targets(sc):
    t = []
    rows = sc.get("peer_table") or []
    # bytes per peer from the largest table (the baseline's noise, a few
    # hundred kB, is spread thinnest there)
    big = max(rows, key=lambda r: r["peers_present"]) if rows else None
    if big and big["bytes_per_peer"] is not None:
        t.append({"metric": "bytes_per_peer (%d peers)" % big["peers_present"],
                  "target": 256, "measured": big["bytes_per_peer"],
                  "met": big["bytes_per_peer"] <= 256})
    key = "lookup_ns_per_pkt" if all(r.get("lookup_ns_per_pkt") is not None
                                     for r in rows) else "cpu_us_per_pkt_udp64"
    cost = [r.get(key) for r in rows]
    if len(cost) >= 2 and cost[0] and cost[-1] is not None:
        growth = cost[-1] / cost[0]
        t.append({"metric": "lookup cost (%s) largest/smallest table" % key,
                  "target": 1.1, "measured": growth, "met": growth <= 1.1})
    fl = sc.get("flood") or {}
    if fl.get("ratio") is not None:
        t.append({"metric": "legit TCP under flood / idle", "target": 0.8,
                  "measured": fl["ratio"], "met": fl["ratio"] >= 0.8})
    if fl.get("vs_control_ratio") is not None:
        t.append({"metric": "legit TCP under flood / under the same flood"
                  " at a closed port", "target": 0.9,
                  "measured": fl["vs_control_ratio"],
                  "met": fl["vs_control_ratio"] >= 0.9})
    if fl.get("idle_after_ratio") is not None:
        t.append({"metric": "legit TCP idle after flood / idle before",
                  "target": 0.9, "measured": fl["idle_after_ratio"],
                  "met": fl["idle_after_ratio"] >= 0.9})
    return t


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def report(args):
    runs = parse_runs(args.runs)
    cfgs = summarize(runs, args.relay)
    ratios = {}
    for other in ("sit+fou", "miredo", "sit+fou-nogso"):
        if "teredo" in cfgs and other in cfgs:
            ratios["teredo/" + other] = {
                m: ratio(runs, m, "teredo", other)
                for m in RATIO_METRICS}
    # the kinds of issue 16 item 4 that were run (BENCH_KINDS)
    more = [m for m in MORE_TCP if any(r["kind"] == m[0] for r in runs)]
    targets = []
    for metric, vs_sit, vs_miredo, *what in TARGETS + [
            (TCP_KINDS[k] + "_mbit_s", goal, None, name)
            for k, _, goal, name in more]:
        for other, want in (("sit+fou", vs_sit), ("miredo", vs_miredo)):
            if want is None:
                continue
            got = ratios.get("teredo/" + other, {}).get(metric)
            t = {"metric": metric, "ratio": "teredo/" + other,
                 "target": want, "measured": got,
                 "met": None if got is None else got >= want}
            if what:
                t["what"] = what[0]
            targets.append(t)

    print("%-13s %-15s %10s %10s %10s %12s %12s" % (
        "config", "relay", "TCP Mb/s", "UDP64 kpps", "(sent)",
        "CPU ns/byte", "CPU us/pkt"))
    print("%-13s %-15s %10s %10s %10s %12s %12s" % (
        "", "", "", "received", "kpps", "TCP", "UDP64"))
    for cfg, c in cfgs.items():
        print("%-13s %-15s %10s %10s %10s %12s %12s" % (
            cfg, c["relay"], fmt(c["tcp_mbit_s"], ".1f"),
            fmt(c["udp64_kpps"], ".2f"), fmt(c["udp64_sent_kpps"], ".2f"),
            fmt(c["cpu_ns_per_byte_tcp"], ".1f"),
            fmt(c["cpu_us_per_pkt_udp64"], ".1f")))
    for name, r in ratios.items():
        print("%-29s %10s %10s %10s %12s %12s" % (
            "ratio " + name, fmt(r["tcp_mbit_s"], ".2f"),
            fmt(r["udp64_kpps"], ".2f"), "",
            fmt(r["cpu_ns_per_byte_tcp"], ".2f"),
            fmt(r["cpu_us_per_pkt_udp64"], ".2f")))
    if more:
        # the same figures as the TCP column above, one pair per kind
        print(("%-13s %-15s" + " %12s %12s" * len(more)) % (
            ("config", "relay") + sum(((m[0] + " Mb/s", "CPU ns/byte")
                                       for m in more), ())))
        print(("%-13s %-15s" + " %12s %12s" * len(more)) % (
            ("", "") + sum(((m[1], m[0]) for m in more), ())))
        for cfg, c in cfgs.items():
            print(("%-13s %-15s" + " %12s %12s" * len(more)) % (
                (cfg, c["relay"]) + sum(
                    ((fmt(c[TCP_KINDS[m[0]] + "_mbit_s"], ".1f"),
                      fmt(c["cpu_ns_per_byte_" + TCP_KINDS[m[0]]], ".1f"))
                     for m in more), ())))
        for name, r in ratios.items():
            print(("%-29s" + " %12s %12s" * len(more)) % (
                ("ratio " + name,) + sum(
                    ((fmt(r[TCP_KINDS[m[0]] + "_mbit_s"], ".2f"),
                      fmt(r["cpu_ns_per_byte_" + TCP_KINDS[m[0]]], ".2f"))
                     for m in more), ())))
    for t in targets:
        state = {None: "not measured", True: "met", False: "MISSED"}[t["met"]]
        print("target %s %s >= %.1f: %s (%s)" % (
            t["ratio"], t["metric"], t["target"], fmt(t["measured"], ".2f"),
            state))
    sc = scale_figures(args)
    print_scale(sc)
    for t in scale_targets(sc):
        state = {True: "met", False: "MISSED"}[t["met"]]
        print("target %s %s %s: %s (%s)" % (
            t["metric"], ">=" if t["metric"].startswith("legit") else "<=",
            t["target"], fmt(t["measured"], ".2f"), state))
        targets.append(t)
    failed = args.failed.split()
    if failed:
        print("not measured (setup failed): " + " ".join(failed))

    doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "kernel": args.kernel, "vcpus": args.cpus,
           "seconds_per_run": args.time, "repetitions": args.reps,
           "teredo_relay": args.relay, "configs": cfgs, "ratios": ratios,
           "targets": targets, "not_measured": failed, "scale": sc}
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--one", nargs=3, metavar=("KIND", "JSON", "RX"))
    p.add_argument("--runs")
    p.add_argument("--json")
    p.add_argument("--kernel", default="")
    p.add_argument("--cpus", type=int, default=0)
    p.add_argument("--time", type=int, default=0)
    p.add_argument("--reps", type=int, default=0)
    p.add_argument("--relay", default="miredo")
    p.add_argument("--failed", default="")
    p.add_argument("--scale")
    p.add_argument("--lookup")
    p.add_argument("--idle")
    p.add_argument("--flood")
    p.add_argument("--flood-sources", default="")
    p.add_argument("--flood-pps", default="")
    p.add_argument("--flood-from", default="")
    p.add_argument("--lookup-perf")
    p.add_argument("--flood-sent")
    p.add_argument("--flood-peers")
    p.add_argument("--control")
    args = p.parse_args()
    if args.one:
        kind, path, rx = args.one
        fig, _ = one_run(kind, load(path), int(rx))
        print(" ".join("%s=%s" % (k, fmt(v, ".2f") if isinstance(v, float)
                                  else v) for k, v in fig.items())
              or "no result")
        return 0
    if not args.runs or not args.json:
        p.error("--runs and --json, or --one")
    report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
