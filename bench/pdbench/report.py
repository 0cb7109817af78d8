"""The results as a human reads them (a table per dataset, then ratios) and as JSON."""

import statistics

from . import cluster_bench, profile, ratio_targets, throughput_model

GIB, MIB = 1 << 30, 1 << 20


def _bytes(n) -> str:
    if n is None:
        return "-"
    if n >= GIB:
        return f"{n / GIB:.2f} GiB"
    if n >= MIB:
        return f"{n / MIB:.1f} MiB"
    return f"{n:,} B"


def _secs(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 0.001:
        return f"{s * 1e6:.0f} µs"  # the in-memory peers on a small layer
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.2f} s"


def _tree(s: dict) -> str:
    if not s:
        return "none"
    parts = [f"{s['files']:,} files", f"{s['dirs']:,} dirs"]
    parts += [f"{s[k]:,} {k.replace('_', ' ')}" for k in ("symlinks", "hardlinked", "whiteouts", "opaque_dirs") if s.get(k)]
    return ", ".join(parts) + f", {_bytes(s['bytes'])}"


def text(r: dict) -> str:
    m = r["machine"]
    out = [
        f"ParallelDiff bench  {r['date']}  commit {r['commit']}" + (" (uncommitted changes)" if r["dirty"] else ""),
        f"machine: {m['nproc']} cores ({m['cpu']}), {m['mem_gib']:.1f} GiB, Linux {m['kernel']}; "
        f"load average {m['load_start']:.1f} at start, {m['load_end']:.1f} at end",
    ]
    if max(m["load_start"], m["load_end"]) > m["nproc"]:
        out.append(f"WARNING: the machine was busy (load > {m['nproc']} cores): wall times are inflated and noisy; CPU times hold better")
    out += [
        f"cli: {r['cli']} ({r['pipeline']})",
        f"method: {r['method']}",
    ]
    c = r.get("compare")
    if c:
        out.append(f"compare: {r['commit']} (this tree) against {c['rev']} = {c['commit']}, its CLI {c['cli']} ({c['how']}); "
                   f"each command of ours runs with both CLIs back to back, the pair's order swapped every round; "
                   f"speed-up = {c['commit']}'s wall / this tree's wall")
    for d in r["datasets"]:
        out += ["", f"== {d['name']}: {d['what']}", f"   made by: {d['made_by']}",
                f"   upper: {_tree(d['upper_stats'])}", f"   lower: {_tree(d['lower_stats'])}",
                f"   {'command':<38} {'wall (median, min-max)':>28} {'cpu':>10} {'peak rss':>10} {'bytes out':>12}"]
        for t in d["tools"].values():
            s = t["summary"]
            wall = f"{_secs(s['wall_s'])} ({_secs(s['wall_min_s'])}-{_secs(s['wall_max_s'])})"
            out.append(f"   {t['label']:<38} {wall:>28} {_secs(s['cpu_s']):>10} "
                       f"{s['peak_rss_kib'] / 1024:>6.0f} MiB {_bytes(s['bytes_out']):>12}")
        if d["ratios"]:
            out.append(f"   {'ratios (ours vs peer)':<48} {'speed-up':>10} {'cpu ratio':>10} {'size ratio':>11}  verdict")
        for x in d["ratios"]:
            size = f"{x['size_ratio']:.3f}" if x["size_ratio"] is not None else "-"
            cpu = f"{x['cpu_ratio']:>9.2f}x" if x["cpu_ratio"] is not None else f"{'-':>10}"
            verdict = f"  {ratio_targets.describe(x['target'])}" if "target" in x else ""
            out.append(f"   {x['what']:<48} {x['speedup']:>9.2f}x {cpu} {size:>11}{verdict}")
        if d.get("work_ratio"):
            w = d["work_ratio"]
            out.append(f"   {'overlay vs walking, the export alone':<48} {w['speedup']:>9.2f}x "
                       f"({_secs(w['ours_s'])} vs {_secs(w['peer_s'])}: the CLI's --report seconds, process start excluded)")
        for x in d.get("limits", []):
            verdict = "meets" if x["met"] else "misses"
            out.append(f"   target: {x['what']} within {x['target'] - 1:.0%} of the faster of {' and '.join(x['peers'])}: "
                       f"the faster is {x['faster_label']}; ours takes {x['ours_vs_faster']:.2f}x its time ({verdict})")
        if d.get("export"):
            out += _export(d["export"])
        if d.get("cluster"):
            out += cluster_bench.text(d["cluster"]) + throughput_model.text(d["model"])
        if d.get("profile"):  # results saved before --profile covered more than ours-zstd
            out += profile.text(d["profile"])
        for key, p in d.get("profiles", {}).items():
            out += [f"   -- {key}"] + profile.text(p)
        out += [f"   note: {n}" for n in d["notes"]]
    lat = r.get("latency")
    if lat:
        verdict = "meets" if lat["e2e_ms"] <= lat["target_ms"] else "misses"
        out += ["", "== latency: one CLI call end-to-end on small-on-big (zstd -3)",
                f"   end-to-end {lat['e2e_ms']:.0f} ms median of {lat['runs']} ({verdict} the {lat['target_ms']} ms target); "
                f"start-up (paralleldiff --help) {lat['startup_ms']:.0f} ms = {lat['startup_share']:.0%} of it; "
                f"cpu {lat['e2e_cpu_ms']:.0f} ms vs {lat['startup_cpu_ms']:.0f} ms"]
        if "walking_ms" in lat:
            out.append(f"   overlay vs walking differ, plain calls: {lat['walking_ratio']:.2f}x ({lat['e2e_ms']:.0f} ms vs "
                       f"{_ms(lat['walking_ms'])}, median of {lat['runs']} each, in the same alternation)")
    if r.get("verdicts"):
        out += ["", "== targets and aims judged in this run (speed-up = peer wall / ours, medians)"]
        out += [f"   {v['dataset']:<12} {v['what']:<48} {v['speedup']:>6.2f}x"
                + (f", size {v['size_ratio']:.3f}" if v["max_size_ratio"] is not None and v["size_ratio"] is not None else "")
                + f"  {ratio_targets.describe(v)}" for v in r["verdicts"]]
    return "\n".join(out) + "\n"


def _mib(kib) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f} MiB"


def _ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def _export(e: dict) -> list[str]:
    """An export scenario's figures, judged against the target issue 5 sets for that scenario."""
    after = ", ".join(f"{n}: {_mib(kib)}" for n, kib in e["rss_after_kib"].items())
    flat = {True: "flat", False: "GROWING", None: "too few snapshots to tell"}[e["flat"]]
    time = f"   per snapshot: {_ms(e['ms_per_snapshot'])} wall, {_ms(e['cpu_ms_per_snapshot'])} cpu over {e['snapshots']:,} snapshots"
    if e["target_ms_per_snapshot"] is not None:
        met = e["ms_per_snapshot"] <= e["target_ms_per_snapshot"]
        time += f" ({'meets' if met else 'misses'} the {e['target_ms_per_snapshot']:.0f} ms target)"
    memory = (f"   memory: peak {_mib(e['peak_rss_kib'])} (kernel), {_mib(e['sampled_peak_rss_kib'])} (sampled every 0.5 s); "
              f"VmRSS after snapshot {after}; {flat}")
    if e["target_peak_rss_mib"] is not None:
        met = e["peak_rss_kib"] / 1024 <= e["target_peak_rss_mib"] and e["flat"] is not False
        memory += f" ({'meets' if met else 'misses'} the target: peak <= {e['target_peak_rss_mib']} MiB and flat)"
    return [time + f"; budget {e['budget']}", memory]


def work_ratio(samples: dict, ours: str, peer: str) -> dict | None:
    """The same ratio on the export's own seconds (our --report), where process start would hide it."""
    a = [x.extra.get("work_s") for x in samples.get(ours, [])]
    b = [x.extra.get("work_s") for x in samples.get(peer, [])]
    if not a or not b or None in a or None in b:
        return None
    ours_s, peer_s = statistics.median(a), statistics.median(b)
    return {"ours_s": ours_s, "peer_s": peer_s, "speedup": peer_s / max(ours_s, 1e-6)}


def ratios(tools: dict, pairs) -> list[dict]:
    """speed-up = peer wall / our wall; cpu ratio = peer cpu / our cpu; size ratio = our bytes / peer bytes."""
    result = []
    for ours, peer, what in pairs:
        if ours not in tools or peer not in tools:
            continue
        a, b = tools[ours]["summary"], tools[peer]["summary"]
        size = a["bytes_out"] / b["bytes_out"] if a["bytes_out"] and b["bytes_out"] else None
        result.append({"ours": ours, "peer": peer, "what": what,
                       "speedup": b["wall_s"] / a["wall_s"],
                       "cpu_ratio": b["cpu_s"] / max(a["cpu_s"], 1e-9) if a["cpu_s"] is not None and b["cpu_s"] is not None else None,
                       "size_ratio": size})
    return result
