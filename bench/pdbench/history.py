"""Rows for the history tables in BENCHMARKS.md, from a saved results JSON.

    python3 -m pdbench.history .bench-cache/results/<run>.json     (from bench/, or PYTHONPATH=bench)
    python3 -m pdbench.history --headers    the headers of the tables added for issue 5's measurements

Prints one row per dataset, one latency row, a physical-limit row per codec measured against
its in-memory peer, a layer-peer row per dataset (issue 17's targets, when the layer peers were
measured), and one row per export scenario, each block under the header of its table in
BENCHMARKS.md; paste them under the existing rows (history is kept: rows are added, never
rewritten).
"""

import json
import sys

# Tables that came after the first two; their headers go into BENCHMARKS.md once, above the rows.
HEADERS = {
    "Physical limit (ours vs the faster of the tar peer and the in-memory compressor)": [
        "| date (UTC) | commit | pipeline | machine | command | dataset | codec | ours wall | peers' wall | faster peer | ours / faster | within 10 % |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ],
    "Against the layer peers (issue 17: tar, compress and both SHA-256 digests)": [
        "| date (UTC) | commit | machine | command | dataset | ours zstd wall | tar-zstd-layer wall "
        "| zstd vs layer peer (target >= 1.3x, size <= 1.02) | gzip vs layer peer (target >= 2x) | lz4 vs layer peer "
        "| zstd vs plain tar \\| zstd (aim 1.0x) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ],
    "Bulk export (`paralleldiff export`)": [
        "| date (UTC) | commit | pipeline | machine | command | scenario | snapshots | wall / cpu | per snapshot (target ms) "
        "| peak RSS (target MiB) | VmRSS MiB after 1st / 10th / last | flat | budget |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ],
}


def _ratio(d: dict, ours: str, peer: str, field: str) -> str:
    for x in d["ratios"]:
        if x["ours"] == ours and x["peer"] == peer and x[field] is not None:
            return f"{x[field]:.2f}" if field == "size_ratio" else f"{x[field]:.2f}x"
    return "-"


def _target(value) -> str:
    """' (5)' after a figure that has a target in this scenario, nothing otherwise."""
    return "" if value is None else f" ({value:g})"


def _judged(d: dict, ours: str, peer: str) -> str:
    """'1.42x, size 0.99: met' — the ratio and, where one is set on this dataset, its verdict."""
    for x in d["ratios"]:
        if x["ours"] == ours and x["peer"] == peer:
            cell = f"{x['speedup']:.2f}x"
            t = x.get("target")
            if t and t["max_size_ratio"] is not None and x["size_ratio"] is not None:
                cell += f", size {x['size_ratio']:.3f}"
            return cell + (f": {'met' if t['met'] else 'missed'}" if t else "")
    return "-"


def rows(r: dict) -> list[str]:
    m = r["machine"]
    where = f"{m['nproc']} cores, load {m['load_start']:.0f}→{m['load_end']:.0f}"
    # A build with the parallel pipeline but no --parallelism given runs at its default, not sequentially.
    pipeline = (f"--parallelism {r['parallelism']}" if r["parallelism"]
                else "default parallelism" if r.get("pipeline") == "default parallelism" else "sequential")
    parallel = f" --parallelism {r['parallelism']}" if r["parallelism"] else ""
    command = ("./run.sh bench " + " ".join(f"--dataset {d['name']}" for d in r["datasets"] if d.get("kind") not in ("export", "cluster"))
               + f" --runs {r['runs']}" + (f" --tools {r['tools']}" if r.get("tools") else "") + parallel)
    out = []
    # The cluster overhead has a section of its own in BENCHMARKS.md, not a row of these tables.
    datasets = [d for d in r["datasets"] if d.get("kind") not in ("export", "cluster")]
    exports = [d for d in r["datasets"] if d.get("kind") == "export"]
    for d in datasets:
        t = d["tools"]
        ours = t.get("ours-zstd", {}).get("summary")
        cells = [
            r["date"], r["commit"], pipeline, where, f"`{command}`", d["name"],
            f"{ours['wall_s']:.2f} s / {ours['cpu_s']:.2f} s" if ours else "-",
            _ratio(d, "ours-zstd", "tar-zstd", "speedup"), _ratio(d, "ours-zstd", "tar-zstd", "cpu_ratio"),
            _ratio(d, "ours-gzip", "tar-pigz", "speedup"), _ratio(d, "ours-lz4", "tar-lz4", "speedup"),
            _ratio(d, "ours-none", "tar-floor", "speedup"), _ratio(d, "ours-zstd", "ours-walking", "speedup"),
            _ratio(d, "ours-zstd", "tar-zstd", "size_ratio"),
        ]
        out.append("| " + " | ".join(cells) + " |")
    lat = r.get("latency")
    if lat:
        out.append("")
        walking = f"{lat['walking_ratio']:.1f}x ({lat['walking_ms'] / 1000:.2f} s)" if "walking_ratio" in lat else "-"
        out.append(f"| {r['date']} | {r['commit']} | {pipeline} | {where} | {lat['e2e_ms']:.0f} ms | {lat['e2e_cpu_ms']:.0f} ms "
                   f"| {lat['startup_ms']:.0f} ms ({lat['startup_share']:.0%}) | {lat['target_ms']} ms | {walking} |")
    limits = [(d, x) for d in datasets for x in d.get("limits", [])]
    if limits:
        out.append("")
    for d, x in limits:
        t = d["tools"]
        walls = " / ".join(f"{p} {t[p]['summary']['wall_s']:.2f} s" for p in x["peers"])
        out.append(f"| {r['date']} | {r['commit']} | {pipeline} | {where} | `{command}` | {d['name']} | {x['what']} "
                   f"| {t[x['ours']]['summary']['wall_s']:.2f} s | {walls} | {x['faster']} | {x['ours_vs_faster']:.2f}x "
                   f"| {'met' if x['met'] else 'missed'} |")
    layered = [d for d in datasets if "tar-zstd-layer" in d["tools"] or "tar-pigz-layer" in d["tools"]]
    if layered:
        out.append("")
    for d in layered:
        t = d["tools"]
        wall = lambda k: f"{t[k]['summary']['wall_s']:.2f} s" if k in t else "-"  # noqa: E731
        out.append(f"| {r['date']} | {r['commit']} | {where} | `{command}` | {d['name']} | {wall('ours-zstd')} | {wall('tar-zstd-layer')} "
                   f"| {_judged(d, 'ours-zstd', 'tar-zstd-layer')} | {_judged(d, 'ours-gzip', 'tar-pigz-layer')} "
                   f"| {_judged(d, 'ours-lz4', 'tar-lz4-layer')} | {_judged(d, 'ours-zstd', 'tar-zstd')} |")
    if exports:
        out.append("")
    for d in exports:
        e, s = d["export"], d["tools"]["ours-export"]["summary"]
        after = " / ".join("-" if v is None else f"{v / 1024:.0f}" for v in e["rss_after_kib"].values())
        flat = {True: "yes", False: "NO", None: "-"}[e["flat"]]
        command = f"./run.sh bench --dataset {d['name']} --count {e['snapshots']} --runs {s['runs']}{parallel}"
        out.append(f"| {r['date']} | {r['commit']} | {pipeline} | {where} | `{command}` | {d['name']} | {e['snapshots']:,} "
                   f"| {s['wall_s']:.2f} s / {s['cpu_s']:.2f} s | {e['ms_per_snapshot']:.1f} ms{_target(e['target_ms_per_snapshot'])} "
                   f"| {e['peak_rss_kib'] / 1024:.0f} MiB{_target(e['target_peak_rss_mib'])} | {after} | {flat} | {e['budget']} |")
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--headers"]:
        print("\n\n".join(f"### {title}\n\n" + "\n".join(lines) for title, lines in HEADERS.items()))
        return
    if len(argv) != 1:
        raise SystemExit(__doc__)
    with open(argv[0]) as f:
        print("\n".join(rows(json.load(f))))


if __name__ == "__main__":
    main()
