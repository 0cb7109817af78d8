"""One dataset: every chosen command, warm-up then N alternating rounds; and the latency probe."""

import os
import shlex
import shutil
import statistics
import sys

from . import datasets, inmemory, layer_peers, measure, ratio_targets, report, targets, tools

LATENCY_TARGET_MS = 80


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def _layer_for_memory_peers(d: datasets.Dataset, ours_none: tools.Tool, scratch: str) -> str:
    """Our uncompressed layer of d, written once: the bytes the in-memory compressors are given."""
    layer = os.path.join(scratch, "memory-input.tar")
    log(f"{d.name}: writing our uncompressed layer for the in-memory peers")
    measure.run(ours_none.argv(d, layer), None)
    if os.path.exists(tools.report_path(layer)):
        os.unlink(tools.report_path(layer))
    return layer


def bench_dataset(d: datasets.Dataset, chosen: list, runs: int, scratch: str, ours_none: tools.Tool, threads: int,
                  extra_pairs: list = (), round_order=None) -> dict:
    """extra_pairs: more (ours, peer, what) ratios (--compare's); round_order(i): the commands of
    round i, when not always `chosen` in its order."""
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
        sample = measure.run(t.argv(d, out), out if t.writes_output else None)
        if t.digests:
            sample.extra.update(layer_peers.take_digests(out))
        if t.ours:
            sample.extra["work_s"] = tools.work_seconds(out)
            if os.path.exists(tools.report_path(out)):
                os.unlink(tools.report_path(out))
        return sample

    try:
        # The benchmark modes loop for a second of their own; they need no warm-up run.
        commands = [t for t in chosen if t.kind != "memory"]
        log(f"{d.name}: warm-up ({len(commands)} commands)")
        for t in commands:
            once(t)
        samples = {t.key: [] for t in chosen}
        for i in range(runs):
            log(f"{d.name}: round {i + 1}/{runs}")
            for t in (round_order(i) if round_order else chosen):
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
            if size < targets.LIMIT_MIN_BYTES:
                notes.append(f"{t.label}: the layer is {size:,} bytes, below {targets.LIMIT_MIN_BYTES >> 20} MiB: "
                             "the in-memory time is no limit for a whole command (start-up dominates), no ratio or target given")
            if loaded:
                notes.append(f"{t.label}: the tool benchmarked only {min(loaded):,} of {size:,} bytes (too little memory to load all)")
        result[t.key] = entry
    # An in-memory time on a tiny layer is microseconds: a ratio against a whole command says nothing.
    too_small = {k for k, t in result.items() if t.get("input_bytes", targets.LIMIT_MIN_BYTES) < targets.LIMIT_MIN_BYTES}
    pairs = [x for x in tools.pairs(threads) if x[1] not in too_small] + list(extra_pairs)
    if len(set(diff_ids.values())) > 1:
        notes.append("the uncompressed layers differ between our commands: " + ", ".join(f"{k} {v[:19]}" for k, v in diff_ids.items()))
    elif diff_ids:
        notes.append(f"all {len(diff_ids)} of our commands wrote the same uncompressed layer (diffID {next(iter(diff_ids.values()))[:19]}…), every run the same digest")
    return {"name": d.name, "path": d.path, "what": d.manifest.get("what", "given"), "made_by": d.made_by,
            "upper_stats": d.manifest.get("upper_stats", {}), "lower_stats": d.manifest.get("lower_stats", {}),
            "load": os.getloadavg()[0], "tools": result, "ratios": ratio_targets.judge(d.name, report.ratios(result, pairs)),
            "work_ratio": report.work_ratio(samples, "ours-zstd", "ours-walking"),
            "limits": targets.physical_limit(result), "notes": notes}


def _plain(argv: list[str]) -> list[str]:
    """The plain call a user makes: without the --report the rounds ask for (a second durable file)."""
    at = argv.index("--report")
    return argv[:at] + argv[at + 2:]


def latency(cli: str, ours_zstd: tools.Tool, ours_walking: tools.Tool | None, d: datasets.Dataset, runs: int, scratch: str) -> dict:
    """One short CLI call end to end, alternating with `paralleldiff --help` (start-up alone) and,
    when chosen, the same call with the walking differ: issue 5's 100x, on the plain calls."""
    out = os.path.join(scratch, "latency.out")
    walking_note = " and the walking differ's" if ours_walking else ""
    log(f"latency: {runs} runs each of the end-to-end call, of --help{walking_note}")
    measure.run([cli, "--help"], None)
    e2e, start, walking = [], [], []
    argv = _plain(ours_zstd.argv(d, out))
    walking_argv = _plain(ours_walking.argv(d, out)) if ours_walking else None
    for _ in range(runs):
        e2e.append(measure.run(argv, out))
        start.append(measure.run([cli, "--help"], None))
        if walking_argv:
            walking.append(measure.run(walking_argv, out))
    e2e_ms = statistics.median(s.wall_s for s in e2e) * 1000
    startup_ms = statistics.median(s.wall_s for s in start) * 1000
    result = {"runs": runs, "target_ms": LATENCY_TARGET_MS, "e2e_ms": e2e_ms, "startup_ms": startup_ms,
              "startup_share": startup_ms / e2e_ms,
              "e2e_cpu_ms": statistics.median(s.cpu_s for s in e2e) * 1000,
              "startup_cpu_ms": statistics.median(s.cpu_s for s in start) * 1000,
              "command": shlex.join(argv[:-1] + ["OUT"])}
    if walking:
        walking_ms = statistics.median(s.wall_s for s in walking) * 1000
        result.update({"walking_ms": walking_ms, "walking_ratio": walking_ms / e2e_ms,
                       "walking_command": shlex.join(walking_argv[:-1] + ["OUT"])})
    return result
