"""./run.sh bench [--dataset NAME|PATH]... [--runs N] [--json] [--parallelism N] [options]

Makes (or reuses) the datasets, then measures our CLI and its peers on each: one warm-up run of
every command, then N rounds in which each of ours is followed by its peer; reports medians and
ratios. Figures are comparisons inside one run on one machine, never absolute pass/fail numbers.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys

from . import datasets, inmemory, measure, report, targets, tools
from .measure import BenchError
from .recipes import DATASETS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LATENCY_TARGET_MS = 80
METHOD = ("{runs} measured runs per command, medians; each round runs ours then its peer, alternating; "
          "one unmeasured warm-up run of every command first; the page cache is not dropped (the datasets are hot); "
          "peers use {threads} threads and fsync their output as ours does")


def parse(argv):
    p = argparse.ArgumentParser(prog="./run.sh bench", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", action="append", metavar="NAME|PATH",
                   help=f"one of {', '.join(DATASETS)} or a folder with dataset.json or upper/ [lower/]; repeatable (default: all four)")
    p.add_argument("--runs", type=int, default=5, help="measured runs per command (default 5)")
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout (the table goes to stderr)")
    p.add_argument("--parallelism", type=int, help="passed to our CLI as --parallelism N; peers then use N threads too")
    p.add_argument("--tools", help="comma-separated subset: " + ",".join(t.key for t in tools.all_tools("", None, 2)))
    p.add_argument("--latency-runs", type=int, default=20, help="runs of the end-to-end and start-up latency (default 20)")
    p.add_argument("--cache", default=os.environ.get("PARALLELDIFF_BENCH_CACHE") or os.path.join(ROOT, ".bench-cache"),
                   help="datasets and results live here (default $PARALLELDIFF_BENCH_CACHE or <repo>/.bench-cache)")
    p.add_argument("--seed", type=int, default=datasets.DEFAULT_SEED)
    p.add_argument("--generate-only", action="store_true", help="make the datasets and stop")
    a = p.parse_args(argv)
    if a.runs < 1 or a.latency_runs < 1:
        p.error("--runs and --latency-runs must be at least 1")
    return a


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem / (1 << 20), "kernel": platform.release(),
            "load_start": os.getloadavg()[0]}


def git(*args) -> str:
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True).stdout.strip()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def _layer_for_memory_peers(d: datasets.Dataset, ours_none: tools.Tool, scratch: str) -> str:
    """Our uncompressed layer of d, written once: the bytes the in-memory compressors are given."""
    layer = os.path.join(scratch, "memory-input.tar")
    log(f"{d.name}: writing our uncompressed layer for the in-memory peers")
    measure.run(ours_none.argv(d, layer), None)
    return layer


def bench_dataset(d: datasets.Dataset, chosen: list, runs: int, scratch: str, ours_none: tools.Tool, threads: int) -> dict:
    out = os.path.join(scratch, "layer.out")
    # The largest output is the uncompressed layer, about the size of the upper (twice with the
    # in-memory peers: their input stays while the others write theirs).
    memory_peers = [t for t in chosen if t.kind == "memory"]
    needed = d.manifest.get("upper_stats", {}).get("bytes", 0) * (2.2 if memory_peers else 1.1) + (256 << 20)
    if shutil.disk_usage(scratch).free < needed:
        raise SystemExit(f"bench: {scratch} has too little free disk for the layers of {d.name} (needs {needed / (1 << 30):.1f} GiB)")
    layer = _layer_for_memory_peers(d, ours_none, scratch) if memory_peers else None

    def once(t: tools.Tool) -> measure.Sample:
        if t.kind == "memory":
            return inmemory.run(t.argv(d, layer), layer)
        return measure.run(t.argv(d, out), out if t.writes_output else None)

    try:
        # The benchmark modes loop for a second of their own; they need no warm-up run.
        commands = [t for t in chosen if t.kind != "memory"]
        log(f"{d.name}: warm-up ({len(commands)} commands)")
        for t in commands:
            once(t)
        samples = {t.key: [] for t in chosen}
        for i in range(runs):
            log(f"{d.name}: round {i + 1}/{runs}")
            for t in chosen:
                samples[t.key].append(once(t))
    finally:
        if layer and os.path.exists(layer):
            os.unlink(layer)  # 2 GiB on big-files
    result = {}
    ops = d.manifest.get("operations", {})
    skipped = {k[len("skipped_"):]: v for k, v in ops.items() if k.startswith("skipped_") and v}
    notes = [f"this upper lacks {', '.join(f'{v} {k}' for k, v in skipped.items())} the recipe asked for (made without root)"] if skipped else []
    diff_ids = {}
    for t in chosen:
        entry = {"label": t.label, "command": t.command(d, "LAYER.tar" if t.kind == "memory" else "OUT"),
                 "summary": measure.summary(samples[t.key]),
                 "samples": [s.as_dict() for s in samples[t.key]]}
        if t.ours:
            descs = [tools.descriptor(s.stdout) for s in samples[t.key]]
            digests = {x["digest"] for x in descs}
            entry["digest"] = sorted(digests)
            if len(digests) > 1:
                notes.append(f"{t.label}: NOT deterministic, {len(digests)} different digests over {runs} runs")
            diff_ids[t.label] = descs[0]["annotations"]["containerd.io/uncompressed"]
        if t.kind == "memory":
            size = samples[t.key][0].extra["input_bytes"]
            entry["input_bytes"] = size
            loaded = {x.extra["benchmarked_bytes"] for x in samples[t.key]} - {None, size}
            if loaded:
                notes.append(f"{t.label}: the tool benchmarked only {min(loaded):,} of {size:,} bytes (too little memory to load all)")
        result[t.key] = entry
    if len(set(diff_ids.values())) > 1:
        notes.append("the uncompressed layers differ between our commands: " + ", ".join(f"{k} {v[:19]}" for k, v in diff_ids.items()))
    elif diff_ids:
        notes.append(f"all {len(diff_ids)} of our commands wrote the same uncompressed layer (diffID {next(iter(diff_ids.values()))[:19]}…), every run the same digest")
    return {"name": d.name, "path": d.path, "what": d.manifest.get("what", "given"), "made_by": d.made_by,
            "upper_stats": d.manifest.get("upper_stats", {}), "lower_stats": d.manifest.get("lower_stats", {}),
            "load": os.getloadavg()[0], "tools": result, "ratios": report.ratios(result, tools.pairs(threads)),
            "limits": targets.physical_limit(result), "notes": notes}


def latency(cli: str, ours_zstd: tools.Tool, d: datasets.Dataset, runs: int, scratch: str) -> dict:
    """One short CLI call end to end, alternating with `paralleldiff --help` (start-up alone)."""
    out = os.path.join(scratch, "latency.out")
    log(f"latency: {runs} runs each of the end-to-end call and of --help")
    measure.run([cli, "--help"], None)
    e2e, start = [], []
    for _ in range(runs):
        e2e.append(measure.run(ours_zstd.argv(d, out), out))
        start.append(measure.run([cli, "--help"], None))
    e2e_ms = statistics.median(s.wall_s for s in e2e) * 1000
    startup_ms = statistics.median(s.wall_s for s in start) * 1000
    return {"runs": runs, "target_ms": LATENCY_TARGET_MS, "e2e_ms": e2e_ms, "startup_ms": startup_ms,
            "startup_share": startup_ms / e2e_ms,
            "e2e_cpu_ms": statistics.median(s.cpu_s for s in e2e) * 1000,
            "startup_cpu_ms": statistics.median(s.cpu_s for s in start) * 1000,
            "command": ours_zstd.command(d, "OUT")}


def main(argv=None):
    a = parse(argv)
    cache = os.path.abspath(a.cache)
    names = a.dataset or list(DATASETS)
    loaded = []
    for n in names:
        if n not in DATASETS and not os.path.isdir(n):
            raise SystemExit(f"--dataset {n}: neither a dataset name ({', '.join(DATASETS)}) nor a folder")
        loaded.append(datasets.make(n, cache, a.seed) if n in DATASETS else datasets.load(n))
    if a.generate_only:
        for d in loaded:
            log(f"{d.name}: {d.path} ({d.made_by})")
        return 0

    cli = os.environ.get("PARALLELDIFF_CLI") or os.path.join(ROOT, "artifacts", "cli", "paralleldiff")
    if not os.access(cli, os.X_OK):
        raise SystemExit(f"no CLI at {cli}: build it with ./run.sh --help, or set PARALLELDIFF_CLI")
    diff_help = subprocess.run([cli, "diff", "--help"], capture_output=True, text=True).stdout
    parallel = "--parallelism" in diff_help
    if a.parallelism and not parallel:
        raise SystemExit(f"--parallelism {a.parallelism}: this build of {cli} has no --parallelism (the parallel pipeline is not in it yet)")
    threads = a.parallelism or os.cpu_count()
    every = tools.all_tools(cli, a.parallelism, threads)
    keys = a.tools.split(",") if a.tools else [t.key for t in every]
    unknown = set(keys) - {t.key for t in every}
    if unknown:
        raise SystemExit(f"--tools: unknown {', '.join(sorted(unknown))}")
    chosen = [t for t in every if t.key in keys]
    by_key = {t.key: t for t in every}

    # A folder of this run's own: others may bench from the same cache at the same time.
    scratch = os.path.join(cache, "out", datetime.datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}")
    os.makedirs(scratch, exist_ok=True)
    m = machine()
    results = {
        "schema": 1,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"), "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": m, "cli": cli, "parallelism": a.parallelism, "peer_threads": threads, "runs": a.runs,
        "pipeline": f"parallel pipeline, --parallelism {a.parallelism}" if a.parallelism else
                    ("default parallelism" if parallel else "sequential Core path: this build has no --parallelism"),
        "method": METHOD.format(runs=a.runs, threads=threads),
        "datasets": [],
    }
    try:
        for d in loaded:
            results["datasets"].append(bench_dataset(d, chosen, a.runs, scratch, by_key["ours-none"], threads))
        small = next((d for d in loaded if d.name == "small-on-big"), None)
        if small:
            results["latency"] = latency(cli, every[0], small, max(a.latency_runs, a.runs), scratch)
    except BenchError as e:
        raise SystemExit(f"bench: a command failed, no figures reported\n{e}") from None
    m["load_end"] = os.getloadavg()[0]

    os.makedirs(os.path.join(cache, "results"), exist_ok=True)
    saved = os.path.join(cache, "results", datetime.datetime.now().strftime("%Y%m%dT%H%M%S") + ".json")
    with open(saved, "w") as f:
        json.dump(results, f, indent=2)
    text = report.text(results) + f"(results saved to {saved})\n"
    if a.json:
        sys.stderr.write(text)
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
