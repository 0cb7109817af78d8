"""Rows for the history tables in BENCHMARKS.md, from a saved results JSON.

    python3 -m pdbench.history .bench-cache/results/<run>.json     (from bench/, or PYTHONPATH=bench)

Prints one row per dataset and one latency row; paste them under the existing rows (history is
kept: rows are added, never rewritten).
"""

import json
import sys


def _ratio(d: dict, ours: str, peer: str, field: str) -> str:
    for x in d["ratios"]:
        if x["ours"] == ours and x["peer"] == peer and x[field] is not None:
            return f"{x[field]:.2f}" if field == "size_ratio" else f"{x[field]:.2f}x"
    return "-"


def rows(r: dict) -> list[str]:
    m = r["machine"]
    where = f"{m['nproc']} cores, load {m['load_start']:.0f}→{m['load_end']:.0f}"
    pipeline = f"--parallelism {r['parallelism']}" if r["parallelism"] else "sequential"
    command = "./run.sh bench " + " ".join(f"--dataset {d['name']}" for d in r["datasets"]) + f" --runs {r['runs']}"
    out = []
    for d in r["datasets"]:
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
        out.append(f"| {r['date']} | {r['commit']} | {pipeline} | {where} | {lat['e2e_ms']:.0f} ms | {lat['e2e_cpu_ms']:.0f} ms "
                   f"| {lat['startup_ms']:.0f} ms ({lat['startup_share']:.0%}) | {lat['target_ms']} ms |")
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit(__doc__)
    with open(argv[0]) as f:
        print("\n".join(rows(json.load(f))))


if __name__ == "__main__":
    main()
