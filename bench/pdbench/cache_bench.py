"""Issue 15's content-cache scenarios, each a pair of `paralleldiff export` commands timed in
alternating rounds in one run, medians and their ratio against the issue's target:

- copies: one export of N copies of the many-small upper (N paths, the same content: bind mounts
  of the upper, root only), zstd:chunked, with the in-memory frame cache (the default) against
  the same export with `paralleldiff.cache.memory = 0`. Target: >= 2x faster, the same bytes.
- warm: a second export of unchanged snapshots with --cache DIR filled by the first, against that
  first (cold, empty cache) export; on the many-small upper (zstd:chunked) and on export-small's
  1,000 small snapshots (zstd -3). Target: >= 10x faster, the same bytes.

Every export writes a fresh layout; the layouts of both sides are compared blob by blob. Nothing
an export wrote is deleted until the bench ends: on ext4 without a journal (this VM's root) the
inode allocator skips every inode freed in the last minute or more, one buffer lookup each
(`recently_deleted` in `perf record`), so a cold export after the previous round's `rm -rf` of
thousands of files paid for it in system time: 0.99 s, 1.76 s, 2.84 s, 3.46 s in six rounds. So
a run holds every round's layouts and caches until it ends (a few GiB for copies and many-small).

    ./run.sh bench-cache [--runs N] [--copies N] [--scenarios copies,warm-many-small,warm-small]
"""

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import time

from . import datasets, export_sets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command, which must succeed."""
    started = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"exit {os.waitstatus_to_exitcode(status)}: {' '.join(argv)}\n{err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def _same_layout(a: str, b: str) -> bool:
    blobs = lambda root: sorted(os.listdir(os.path.join(root, "blobs", "sha256")))
    if blobs(a) != blobs(b):
        return False
    return filecmp.cmp(os.path.join(a, "index.json"), os.path.join(b, "index.json"), shallow=False)


def _jobs(path: str, uppers: list[str], lowers: list[str]) -> str:
    with open(path, "w") as f:
        json.dump([{"id": f"snap-{i:04d}", "upper": u, **({"lower": lowers} if lowers else {})} for i, u in enumerate(uppers)], f)
    return path


class _Fresh:
    """A new path under the scratch directory for every call: round N's outputs never replace round N-1's."""

    def __init__(self, scratch: str, name: str):
        self._scratch, self._name, self._n = scratch, name, 0

    def __call__(self) -> str:
        self._n += 1
        return os.path.join(self._scratch, f"{self._name}-{self._n}")


def _export(cli: str, jobs: str, layout: str, compression: str, *extra: str) -> list[str]:
    if os.path.exists(layout) or os.path.exists(layout + ".journal.jsonl"):
        raise SystemExit(f"{layout}: already there; every export of the bench writes a new layout")
    return [cli, "export", "--jobs", jobs, "--oci-layout", layout, "--compression", compression, "--created", "none", "--quiet", *extra]


def _pair(name: str, runs: int, baseline, candidate, target: float, log) -> dict:
    """Alternating rounds of (baseline, candidate); each callable runs once and returns (wall, cpu, layout)."""
    base, cand, same = [], [], True
    for i in range(runs):
        log(f"{name}: round {i + 1}/{runs}")
        b = baseline()
        c = candidate()
        base.append(b[:2])
        cand.append(c[:2])
        same = same and _same_layout(b[2], c[2])
    bw = statistics.median(w for w, _ in base)
    cw = statistics.median(w for w, _ in cand)
    bc = statistics.median(c for _, c in base)
    cc = statistics.median(c for _, c in cand)
    return {"scenario": name, "runs": runs, "baseline_wall_s": round(bw, 3), "candidate_wall_s": round(cw, 3),
            "baseline_cpu_s": round(bc, 3), "candidate_cpu_s": round(cc, 3), "speedup": round(bw / cw, 2),
            "target": target, "met": bw / cw >= target and same, "same_bytes": same,
            "walls": {"baseline": [round(w, 3) for w, _ in base], "candidate": [round(w, 3) for w, _ in cand]}}


def copies(cli: str, cache: str, seed: int, scratch: str, n: int, runs: int, log, frame_memory: str | None = None) -> dict:
    d = datasets.make("many-small", cache, seed)
    mounts = []
    try:
        for i in range(n):
            m = os.path.join(scratch, f"copy{i:02d}")
            os.makedirs(m, exist_ok=True)
            subprocess.run(["mount", "--bind", "-o", "ro", d.upper, m], check=True)
            mounts.append(m)
        jobs = _jobs(os.path.join(scratch, "copies.jobs.json"), mounts, d.lowers)
        off = os.path.join(scratch, "no-frame-cache.conf")
        with open(off, "w") as f:
            f.write("paralleldiff.cache.memory = 0\n")

        without_layouts, with_layouts = _Fresh(scratch, "copies-without.oci"), _Fresh(scratch, "copies-with.oci")

        def without():
            layout = without_layouts()
            return (*_run(_export(cli, jobs, layout, "zstd:chunked", "--config", off)), layout)

        sized = []
        if frame_memory:
            sized_conf = os.path.join(scratch, "frame-cache.conf")
            with open(sized_conf, "w") as f:
                f.write(f"paralleldiff.cache.memory = {frame_memory}\n")
            sized = ["--config", sized_conf]

        def with_cache():
            layout = with_layouts()
            return (*_run(_export(cli, jobs, layout, "zstd:chunked", *sized)), layout)

        memory = f"cache.memory = {frame_memory}" if frame_memory else "cache.memory default"
        r = _pair(f"{n} copies of many-small, zstd:chunked: frame cache ({memory}) vs none", runs, without, with_cache, 2.0, log)
        r["command"] = ("paralleldiff export --jobs JOBS --oci-layout OCI --compression zstd:chunked --config C "
                        f"(C: cache.memory = 0 | {frame_memory or 'nothing'})")
        return r
    finally:
        for m in mounts:
            subprocess.run(["umount", m], check=False)


def warm(cli: str, name: str, uppers: list[str], lowers: list[str], compression: str, scratch: str, runs: int, log) -> dict:
    jobs = _jobs(os.path.join(scratch, f"{name}.jobs.json"), uppers, lowers)
    caches, cold_layouts, warm_layouts = _Fresh(scratch, f"{name}.cache"), _Fresh(scratch, f"{name}-cold.oci"), _Fresh(scratch, f"{name}-warm.oci")
    filled = []

    def cold():
        # An empty cache of its own each round, which the round's warm export then reads.
        filled.append(caches())
        layout = cold_layouts()
        return (*_run(_export(cli, jobs, layout, compression, "--cache", filled[-1])), layout)

    def warm_run():
        layout = warm_layouts()
        return (*_run(_export(cli, jobs, layout, compression, "--cache", filled[-1])), layout)

    r = _pair(f"{name} ({len(uppers):,} snapshot(s), {compression}): --cache warm vs cold", runs, cold, warm_run, 10.0, log)
    r["command"] = f"paralleldiff export --jobs JOBS --oci-layout OCI --compression {compression} --cache DIR"
    return r


# When the last bench-cache run removed its scratch directory (tens of thousands of inodes).
CLEANED = ".last-cleanup"
# How long ext4 without a journal keeps skipping freed inodes (60 s once their inode table block is
# written back, which takes up to ~35 s here): a cold export started sooner pays for that cleanup
# (1.0 s against 2.4-2.8 s in two runs back to back).
SETTLE_S = 120


def _settle_after_last_cleanup(out: str, log) -> None:
    try:
        with open(os.path.join(out, CLEANED)) as f:
            cleaned = float(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return
    wait = cleaned + SETTLE_S - time.time()
    if wait > 0:
        log(f"waiting {wait:.0f} s: the last bench-cache run removed its outputs {SETTLE_S - wait:.0f} s ago, "
            "and until the file system reuses those inodes a cold export pays for the removal")
        time.sleep(wait)


def main() -> int:
    p = argparse.ArgumentParser(prog="./run.sh bench-cache", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--copies", type=int, default=10)
    p.add_argument("--scenarios", default="copies,warm-many-small,warm-small")
    p.add_argument("--frame-memory", help="cache.memory for the copies scenario's cached side (default: the settings' own)")
    p.add_argument("--cache", default=os.environ.get("PARALLELDIFF_BENCH_CACHE") or os.path.join(ROOT, ".bench-cache"))
    p.add_argument("--seed", type=int, default=datasets.DEFAULT_SEED)
    a = p.parse_args()
    cli = os.environ.get("PARALLELDIFF_CLI") or os.path.join(ROOT, "artifacts", "cli", "paralleldiff")
    log = lambda m: print(m, file=__import__("sys").stderr, flush=True)
    _settle_after_last_cleanup(os.path.join(a.cache, "out"), log)
    scratch = os.path.join(a.cache, "out", time.strftime("%Y%m%dT%H%M%S") + f"-cache-{os.getpid()}")
    os.makedirs(scratch)
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": os.getloadavg()[0], "scenarios": []}
    try:
        for s in a.scenarios.split(","):
            if s == "copies":
                results["scenarios"].append(copies(cli, a.cache, a.seed, scratch, a.copies, a.runs, log, a.frame_memory))
            elif s == "warm-many-small":
                d = datasets.make("many-small", a.cache, a.seed)
                results["scenarios"].append(warm(cli, "many-small", [d.upper], d.lowers, "zstd:chunked", scratch, a.runs, log))
            elif s == "warm-small":
                e = export_sets.load("export-small", a.cache, a.seed, None)
                results["scenarios"].append(warm(cli, "export-small", e.uppers, e.lowers, "zstd", scratch, a.runs, log))
            else:
                raise SystemExit(f"--scenarios: unknown {s}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        with open(os.path.join(a.cache, "out", CLEANED), "w") as f:
            f.write(f"{time.time()}\n")
    results["load_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=1))
    print("| scenario | runs | baseline | with the cache | speed-up | target | same bytes |", file=__import__("sys").stderr)
    print("|---|---|---|---|---|---|---|", file=__import__("sys").stderr)
    for r in results["scenarios"]:
        print(f"| {r['scenario']} | {r['runs']} | {r['baseline_wall_s']:.2f} s (CPU {r['baseline_cpu_s']:.2f} s) | "
              f"{r['candidate_wall_s']:.2f} s (CPU {r['candidate_cpu_s']:.2f} s) | {r['speedup']:.2f}x | >= {r['target']:g}x "
              f"{'met' if r['met'] else 'missed'} | {'yes' if r['same_bytes'] else 'NO'} |", file=__import__("sys").stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
