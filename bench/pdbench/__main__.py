"""./run.sh bench [--dataset NAME|PATH]... [--runs N] [--json] [--parallelism N] [--compare REV] [options]

Makes (or reuses) the datasets, then measures our CLI and its peers on each: one warm-up run of
every command, then N rounds in which each of ours is followed by its peer; reports medians and
ratios. Figures are comparisons inside one run on one machine, never absolute pass/fail numbers.
The export scenarios (--dataset export-small, export-many-small) time one `paralleldiff export`
of many snapshots and watch its memory; export-small-cluster compares the same export through a
1-node cluster with a local one, both pushing to a registry; they run only when named. --compare REV builds another
revision's CLI and measures it beside this one's in the same rounds (see compare.py).
"""

import argparse
import datetime
import functools
import json
import os
import platform
import subprocess
import sys

from . import cluster_bench, compare, datasets, export_bench, export_sets, profile, ratio_targets, report, tools
from .dataset_bench import bench_dataset, latency
from .export_sets import SCENARIOS
from .measure import BenchError
from .recipes import DATASETS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# --profile records these (when chosen; ours-zstd always): ours and the layer peer of each codec
# that has a target, so a miss can be explained from both sides.
PROFILED = ("ours-zstd", "tar-zstd-layer", "ours-gzip", "tar-pigz-layer")
# Measured runs when --runs is not given: an export of 50 many-small snapshots takes ~10 min.
DEFAULT_RUNS = {"export-small": 3, "export-many-small": 1, "export-small-cluster": 3}
METHOD = ("{runs} measured runs per command, medians; each round runs ours then its peer, alternating; "
          "one unmeasured warm-up run of every command first; the page cache is not dropped (the datasets are hot); "
          "peers use {threads} threads and fsync their output as ours does")


def parse(argv):
    p = argparse.ArgumentParser(prog="./run.sh bench", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", action="append", metavar="NAME|PATH",
                   help=f"one of {', '.join(DATASETS)}, an export scenario ({', '.join(SCENARIOS)}), "
                        "or a folder with dataset.json or upper/ [lower/]; repeatable (default: the four datasets)")
    p.add_argument("--runs", type=int, help="measured runs per command (default 5; export-small 3, export-many-small 1)")
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout (the table goes to stderr)")
    p.add_argument("--parallelism", type=int, help="passed to our CLI as --parallelism N; peers then use N threads too")
    p.add_argument("--tools", help="comma-separated subset: " + ",".join(t.key for t in tools.all_tools("", None, 2)))
    p.add_argument("--latency-runs", type=int, default=20, help="runs of the end-to-end and start-up latency (default 20)")
    p.add_argument("--cache", default=os.environ.get("PARALLELDIFF_BENCH_CACHE") or os.path.join(ROOT, ".bench-cache"),
                   help="datasets and results live here (default $PARALLELDIFF_BENCH_CACHE or <repo>/.bench-cache)")
    p.add_argument("--seed", type=int, default=datasets.DEFAULT_SEED)
    p.add_argument("--generate-only", action="store_true", help="make the datasets and stop")
    p.add_argument("--count", type=int, default=int(os.environ.get("PARALLELDIFF_BENCH_EXPORT_COUNT") or 0) or None,
                   help="snapshots per export scenario (default $PARALLELDIFF_BENCH_EXPORT_COUNT, else "
                        f"{export_sets.SMALL_COUNT} for export-small and {export_sets.MANY_SMALL_COUNT} for export-many-small)")
    p.add_argument("--profile", action="store_true",
                   help="after measuring a dataset, run our zstd command (and, when chosen, " + ", ".join(PROFILED[1:]) +
                        ") once more under perf and print the CPU split by thread and by shared object "
                        "(perf.data stays in the run's scratch folder)")
    p.add_argument("--compare", metavar="REV",
                   help="also build git revision REV (in a temporary worktree, with its own run.sh) and measure its CLI "
                        "beside this one's in the same rounds, alternating; reports this rev vs REV per command of ours")
    a = p.parse_args(argv)
    if (a.runs is not None and a.runs < 1) or a.latency_runs < 1 or (a.count is not None and a.count < 1):
        p.error("--runs, --latency-runs and --count must be at least 1")
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


def main(argv=None):
    a = parse(argv)
    cache = os.path.abspath(a.cache)
    names = a.dataset or list(DATASETS)
    loaded = []
    for n in names:
        if n not in DATASETS and n not in SCENARIOS and not os.path.isdir(n):
            raise SystemExit(f"--dataset {n}: neither a dataset name ({', '.join(DATASETS)}), "
                             f"an export scenario ({', '.join(SCENARIOS)}) nor a folder")
        if n in SCENARIOS:
            loaded.append(export_sets.load(n, cache, a.seed, a.count))
        else:
            loaded.append(datasets.make(n, cache, a.seed) if n in DATASETS else datasets.load(n))
    if a.compare and any(isinstance(d, export_sets.SnapshotSet) for d in loaded):
        raise SystemExit("--compare measures the datasets' commands; leave the export scenarios out of a comparison")
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
    # The push rows start a registry of their own: only when named.
    keys = a.tools.split(",") if a.tools else [t.key for t in every if t.key not in tools.ON_REQUEST]
    unknown = set(keys) - {t.key for t in every}
    if unknown:
        raise SystemExit(f"--tools: unknown {', '.join(sorted(unknown))}")
    chosen = [t for t in every if t.key in keys]
    by_key = {t.key: t for t in every}
    head = git("rev-parse", "--short", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    compared, extra_pairs, round_order = None, [], None
    if a.compare:
        compared = compare.build(ROOT, a.compare, cache)
        if a.parallelism and "--parallelism" not in subprocess.run([compared["cli"], "diff", "--help"], capture_output=True, text=True).stdout:
            raise SystemExit(f"--compare {a.compare}: its CLI has no --parallelism")
        twins = compare.twins(tools.all_tools(compared["cli"], a.parallelism, threads), set(keys), compared["commit"])
        chosen = compare.interleave(chosen, twins)
        extra_pairs = compare.pairs(twins, head + ("+changes" if dirty else ""), compared["commit"])
        round_order = functools.partial(compare.round_order, chosen)

    # A folder of this run's own: others may bench from the same cache at the same time.
    scratch = os.path.join(cache, "out", datetime.datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}")
    os.makedirs(scratch, exist_ok=True)
    m = machine()
    results = {
        "schema": 1,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": head, "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": dirty,
        "machine": m, "cli": cli, "parallelism": a.parallelism, "peer_threads": threads, "runs": a.runs or 5,
        "tools": a.tools, "profile": a.profile, "compare": compared,
        "pipeline": f"parallel pipeline, --parallelism {a.parallelism}" if a.parallelism else
                    ("default parallelism" if parallel else "sequential Core path: this build has no --parallelism"),
        "method": METHOD.format(runs=a.runs or 5, threads=threads),
        "datasets": [],
    }
    try:
        for d in loaded:
            if isinstance(d, export_sets.SnapshotSet):
                runs = a.runs or DEFAULT_RUNS[d.name]
                if d.name == "export-small-cluster":
                    results["datasets"].append(cluster_bench.bench(d, cli, a.parallelism, runs, scratch, log))
                    continue
                # 50 many-small snapshots take ~10 min: an unmeasured warm-up would double that.
                warm_up = d.name == "export-small"
                results["datasets"].append(export_bench.bench(d, cli, a.parallelism, runs, warm_up, scratch, log))
                continue
            results["datasets"].append(bench_dataset(d, chosen, a.runs or 5, scratch, by_key["ours-none"], threads,
                                                     extra_pairs, round_order))
            if a.profile:
                profiled = [k for k in PROFILED if k == "ours-zstd" or k in keys]
                log(f"{d.name}: profiling {', '.join(profiled)} under perf")
                results["datasets"][-1]["profiles"] = {
                    k: profile.profile(f"{d.name}-{k}", lambda out, d=d, k=k: by_key[k].argv(d, out), scratch) for k in profiled}
        small = next((d for d in loaded if d.name == "small-on-big"), None)
        if small:
            results["latency"] = latency(cli, by_key["ours-zstd"], by_key["ours-walking"] if "ours-walking" in keys else None,
                                         small, max(a.latency_runs, a.runs or 5), scratch)
    except BenchError as e:
        raise SystemExit(f"bench: a command failed, no figures reported\n{e}") from None
    m["load_end"] = os.getloadavg()[0]
    results["verdicts"] = ratio_targets.summary(results["datasets"])
    if not os.listdir(scratch):
        os.rmdir(scratch)  # only perf.data and job files are kept

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
