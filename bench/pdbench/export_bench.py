"""The bulk export scenarios: one `paralleldiff export` of many snapshots, timed and its memory watched.

Each run starts from an empty layout and journal (the export resumes from both otherwise and
would skip everything). The CLI's `--progress json` prints one line per finished snapshot on
stderr; when one arrives the CLI's VmRSS is read, so the report can say what the process held
after the first, the 10th and the last snapshot, beside a 0.5 s sampling of the whole run and
the kernel's peak (ru_maxrss). Wall, CPU and peak RSS come from wait4 as for every command.
"""

import json
import os
import shlex
import shutil
import statistics
import subprocess
import threading
import time

from . import measure, targets
from .export_sets import SnapshotSet
from .measure import BenchError, Sample
from .rss import RssSampler


def argv(cli: str, jobs: str, layout: str, parallelism: int | None) -> list[str]:
    a = [cli, "export", "--jobs", jobs, "--oci-layout", layout, "--progress", "json", "--compression", "zstd", "--level", "3"]
    return a + (["--parallelism", str(parallelism)] if parallelism else [])


def _fresh(layout: str):
    shutil.rmtree(layout, ignore_errors=True)
    for leftover in (layout + ".journal.jsonl",):
        if os.path.exists(leftover):
            os.unlink(leftover)


def run_once(command: list[str], layout: str) -> Sample:
    """One export; the sample's extra holds the RSS after each finished snapshot and the budget."""
    _fresh(layout)
    events = {"begin": None, "after": [], "failed": [], "bytes_out": 0}
    started = time.perf_counter()
    p = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with RssSampler(p.pid) as sampler:
        other = []

        def read_progress():
            for raw in p.stderr:
                try:
                    e = json.loads(raw)
                except ValueError:
                    other.append(raw.decode(errors="replace"))  # the CLI's own messages on failure
                    continue
                kind = e.get("event")
                if kind == "begin":
                    events["begin"] = e
                elif kind in ("done", "failed"):
                    events["after"].append(sampler.now())
                    if kind == "failed":
                        events["failed"].append(f"{e['snapshot']['id']}: {e['snapshot'].get('error')}")
                    else:
                        events["bytes_out"] += e["snapshot"].get("bytesOut", 0)

        reader = threading.Thread(target=read_progress, daemon=True)
        reader.start()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - started
        reader.join()
    _fresh(layout)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or events["failed"]:
        detail = "; ".join(events["failed"][:3]) or "".join(other)[-2000:]
        raise BenchError(f"exit {code}: {shlex.join(command)}\n{detail}")
    sample = Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss, events["bytes_out"], "")
    begin = events["begin"] or {}
    sample.extra = {"rss_after_kib": events["after"], "sampled_peak_rss_kib": sampler.peak_kib,
                    "rss_every_half_second_kib": [kib for _, kib in sampler.samples],
                    "layers_in_flight": begin.get("layersInFlight"), "per_layer_parallelism": begin.get("perLayerParallelism")}
    return sample


def _after(sample: Sample, n: int) -> int | None:
    """VmRSS when the n-th snapshot (1-based) had finished; None if it could not be read."""
    after = sample.extra["rss_after_kib"]
    return after[min(n, len(after)) - 1] if after else None


def summary(s: SnapshotSet, samples: list[Sample]) -> dict:
    """The figures issue 5 asks for, medians over the runs; the RSS curve is the last run's."""
    count = len(s.uppers)
    wall = statistics.median(x.wall_s for x in samples)
    cpu = statistics.median(x.cpu_s for x in samples)
    peak = int(statistics.median(x.rss_kib for x in samples))
    last = samples[-1]
    after = {"1": _after(last, 1), "10": _after(last, 10), str(count): _after(last, count)}
    grows = None
    if count >= 10 and after["10"] and after[str(count)]:
        grows = not targets.flat(after["10"], after[str(count)])
    return {
        "snapshots": count, "ms_per_snapshot": wall * 1000 / count, "cpu_ms_per_snapshot": cpu * 1000 / count,
        "peak_rss_kib": peak, "sampled_peak_rss_kib": last.extra["sampled_peak_rss_kib"], "rss_after_kib": after,
        "flat": None if grows is None else not grows,
        "budget": f"{last.extra['layers_in_flight']} layer(s) in flight x {last.extra['per_layer_parallelism']} worker(s)",
        # Each scenario is judged on its own target only (issue 5): export-small on time per
        # snapshot, export-many-small on memory.
        "target_ms_per_snapshot": targets.EXPORT_MS_PER_SNAPSHOT if s.name == "export-small" else None,
        "target_peak_rss_mib": targets.EXPORT_PEAK_RSS_MIB if s.name == "export-many-small" else None,
    }


def bench(s: SnapshotSet, cli: str, parallelism: int | None, runs: int, warm_up: bool, scratch: str, log) -> dict:
    jobs = os.path.join(scratch, f"{s.name}.jobs.json")
    with open(jobs, "w") as f:
        json.dump(s.jobs(), f, indent=1)
    layout = os.path.join(scratch, f"{s.name}.oci")
    command = argv(cli, jobs, layout, parallelism)
    if warm_up:
        log(f"{s.name}: warm-up ({len(s.uppers):,} snapshots)")
        run_once(command, layout)
    samples = []
    for i in range(runs):
        log(f"{s.name}: run {i + 1}/{runs} ({len(s.uppers):,} snapshots)")
        samples.append(run_once(command, layout))
    entry = {"label": f"ours export zstd -3 ({len(s.uppers):,} snapshots)", "command": shlex.join(argv(cli, "JOBS.json", "OCI", parallelism)),
             "summary": measure.summary(samples), "samples": [x.as_dict() for x in samples]}
    notes = [f"{runs} measured run(s), medians; {'one unmeasured warm-up run first' if warm_up else 'no warm-up run'}; "
             "every run starts from an empty layout and journal; per snapshot = the whole run's wall / snapshots "
             "(start-up included); the VmRSS curve is the last run's"]
    notes += [s.note] if s.note else []
    notes.append(f"the job file is kept at {jobs}")
    return {"name": s.name, "path": s.path, "what": s.manifest["what"], "made_by": s.made_by, "kind": "export",
            "upper_stats": s.manifest.get("upper_stats", {}), "lower_stats": s.manifest.get("lower_stats", {}),
            "load": os.getloadavg()[0], "tools": {"ours-export": entry}, "ratios": [], "limits": [],
            "export": summary(s, samples), "notes": notes}
