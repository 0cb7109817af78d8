"""export-small through a 1-node cluster against a local export of the same jobs (issue 14).

Both sides push to the registry the bench starts (registry.py), with the same options, so the
ratio is what the cluster adds and nothing else: the local side is `export --push`, the cluster
side `export --cluster SEED --push` with one `paralleldiff node` on 127.0.0.1. The node is started
once before the rounds and kept, as a worker of a fleet is; its start-up is reported, not counted.
The coordinator's start and join are counted: every cluster export pays them. The registry's
storage is emptied before every run, so each pushes every blob; the journal starts empty.

Rounds alternate and swap their order each round (local first, then cluster first), after one
unmeasured run of each. Beside the wall time, the CPU of the export process, the node and the
registry is read from /proc at the 10th and 90th percentile `done` event: the steady-state cost of
one more snapshot on each, which throughput_model.py turns into a prediction for N nodes.
"""

import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import threading
import time

from . import measure, registry, throughput_model
from .export_sets import SnapshotSet
from .measure import BenchError, Sample

TARGET = 1.10  # issue 14: the 1-node cluster takes at most 1.10x the local export's time
NODE = "bench-node"
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float | None:
    """utime + stime of a live process (fields 14 and 15 of /proc/PID/stat); None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `paralleldiff node` on 127.0.0.1, the cluster's seed, up from start() until stop()."""

    def __init__(self, cli: str, parallelism: int | None, scratch: str):
        self.seed = f"127.0.0.1:{_free_port()}"
        self.log = os.path.join(scratch, "cluster-node.log")
        self.argv = [cli, "node", "--cluster", self.seed, "--bind", self.seed, "--name", NODE]
        self.argv += ["--parallelism", str(parallelism)] if parallelism else []
        self.proc = None
        self.startup_s = None

    def start(self):
        started = time.perf_counter()
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out)
        deadline = started + 60
        while True:
            with open(self.log, errors="replace") as f:
                said = f.read()
            if f"node {NODE}: up at" in said:
                self.startup_s = time.perf_counter() - started
                return
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                self.stop()
                raise BenchError(f"{shlex.join(self.argv)} did not come up:\n{said[-2000:]}")
            time.sleep(0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # leaves the cluster
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_once(command: list[str], count: int, watched: dict[str, int]) -> Sample:
    """One export; extra holds the steady-state rate and each watched process's CPU per snapshot."""
    registry.empty()
    journal = command[command.index("--journal") + 1]
    if os.path.exists(journal):
        os.unlink(journal)
    first, last = max(1, count // 10), max(1, count * 9 // 10)
    marks, seconds, failed, other = {}, [], [], []
    started = time.perf_counter()
    p = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pids = {**watched, "export": p.pid}
    before = {k: _cpu_s(pid) for k, pid in pids.items()}

    def read_progress():
        done = 0
        for raw in p.stderr:
            try:
                e = json.loads(raw)
            except ValueError:
                other.append(raw.decode(errors="replace"))
                continue
            if e.get("event") == "failed":
                failed.append(f"{e['snapshot']['id']}: {e['snapshot'].get('error')}")
            elif e.get("event") == "done":
                done += 1
                seconds.append(e["snapshot"].get("seconds", 0))
                if done in (first, last):
                    marks[done] = (time.perf_counter(), {k: _cpu_s(pid) for k, pid in pids.items()})

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - started
    # The node and the registry outlive the export: what they spent on it is the change since its start.
    after = {k: _cpu_s(pid) for k, pid in watched.items()}
    reader.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or failed:
        detail = "; ".join(failed[:3]) or "".join(other)[-2000:]
        raise BenchError(f"exit {code}: {shlex.join(command)}\n{detail}")
    sample = Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss, None, "")
    steady = {}
    if first in marks and last in marks and last > first:
        (t0, c0), (t1, c1) = marks[first], marks[last]
        n = last - first
        steady = {"per_second": n / (t1 - t0),
                  "cpu_ms_per_snapshot": {k: None if c0[k] is None or c1[k] is None else (c1[k] - c0[k]) * 1000 / n for k in pids}}
    sample.extra = {"steady": steady, "job_seconds_median": statistics.median(seconds) if seconds else None,
                    "watched_cpu_s": {k: None if before[k] is None or after[k] is None else after[k] - before[k] for k in watched}}
    return sample


def _journal_line_ms(folder: str, lines: int = 200) -> float:
    """What the coordinator's actor waits per outcome to make its journal line durable: a ~600-byte append and fsync, median."""
    path = os.path.join(folder, "fsync-probe.jsonl")
    line = b"x" * 600 + b"\n"
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for _ in range(lines):
            t = time.perf_counter()
            os.write(fd, line)
            os.fsync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(times) * 1000


def _steady(samples: list[Sample], key: str) -> float | None:
    values = [x.extra["steady"].get("cpu_ms_per_snapshot", {}).get(key) for x in samples]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _entry(label: str, command: list[str], samples: list[Sample]) -> dict:
    return {"label": label, "command": shlex.join(command), "summary": measure.summary(samples),
            "samples": [{**x.as_dict(), **x.extra} for x in samples]}


def bench(s: SnapshotSet, cli: str, parallelism: int | None, runs: int, scratch: str, log) -> dict:
    count = len(s.uppers)
    jobs = os.path.join(scratch, f"{s.name}.jobs.json")
    with open(jobs, "w") as f:
        json.dump(s.jobs(), f, indent=1)
    shared = ["--jobs", jobs, "--push", f"{registry.address()}/bench/export", "--progress", "json", "--compression", "zstd", "--level", "3"]
    shared += ["--parallelism", str(parallelism)] if parallelism else []
    node = Node(cli, parallelism, scratch)
    local = [cli, "export", *shared, "--journal", os.path.join(scratch, "local.journal.jsonl")]
    cluster = [cli, "export", *shared, "--cluster", node.seed, "--journal", os.path.join(scratch, "cluster.journal.jsonl")]
    log(f"{s.name}: starting a node at {node.seed}")
    node.start()
    try:
        watched = {"node": node.proc.pid, "registry": registry.pid()}
        log(f"{s.name}: warm-up, local then cluster ({count:,} snapshots each)")
        run_once(local, count, {"registry": registry.pid()})
        run_once(cluster, count, watched)
        taken = {"local": [], "cluster": []}
        for i in range(runs):
            order = ["local", "cluster"] if i % 2 == 0 else ["cluster", "local"]
            for side in order:
                log(f"{s.name}: run {i + 1}/{runs}, {side} ({count:,} snapshots)")
                taken[side].append(run_once(local if side == "local" else cluster, count,
                                            {"registry": registry.pid()} if side == "local" else watched))
    finally:
        node.stop()
    journal_ms = _journal_line_ms(scratch)
    local_wall = statistics.median(x.wall_s for x in taken["local"])
    cluster_wall = statistics.median(x.wall_s for x in taken["cluster"])
    rounds = [c.wall_s / l.wall_s for l, c in zip(taken["local"], taken["cluster"])]
    node_cpu = [x.extra["watched_cpu_s"]["node"] for x in taken["cluster"]]
    overhead = {
        "snapshots": count, "local_wall_s": local_wall, "cluster_wall_s": cluster_wall,
        "ratio": cluster_wall / local_wall, "round_ratios": rounds, "target": TARGET, "met": cluster_wall / local_wall <= TARGET,
        "local_cpu_s": statistics.median(x.cpu_s for x in taken["local"]),
        "coordinator_cpu_s": statistics.median(x.cpu_s for x in taken["cluster"]),
        "node_cpu_s": statistics.median(v for v in node_cpu if v is not None) if any(v is not None for v in node_cpu) else None,
        "node_startup_s": node.startup_s,
        "local_job_s": statistics.median(x.extra["job_seconds_median"] for x in taken["local"]),
        "cluster_job_s": statistics.median(x.extra["job_seconds_median"] for x in taken["cluster"]),
    }
    rates = [x.extra["steady"]["per_second"] for x in taken["cluster"] if x.extra["steady"]]
    inputs = {
        "node_per_second": statistics.median(rates) if rates else None,
        "node_cpu_ms": _steady(taken["cluster"], "node"),
        "coordinator_cpu_ms": _steady(taken["cluster"], "export"),
        "journal_line_ms": journal_ms,
        "registry_cpu_ms": _steady(taken["cluster"], "registry"),
        "cores": os.cpu_count(),
    }
    notes = [f"{runs} round(s), each a local and a cluster export, the order swapped every round; one unmeasured run of each first; "
             "the registry's storage emptied and the journal removed before every run",
             f"the node ({shlex.join(node.argv)}) was started once ({node.startup_s:.2f} s to come up) and served every cluster run; "
             f"its log is {node.log}",
             "steady state: from the 10th to the 90th percentile done event; CPU per snapshot read from /proc at those two events",
             f"the job file is kept at {jobs}"]
    return {"name": s.name, "path": s.path, "what": s.manifest["what"], "made_by": s.made_by, "kind": "cluster",
            "upper_stats": s.manifest.get("upper_stats", {}), "lower_stats": s.manifest.get("lower_stats", {}),
            "load": os.getloadavg()[0],
            "tools": {"local": _entry(f"local export --push ({count:,})", local, taken["local"]),
                      "cluster": _entry(f"1-node cluster export --push ({count:,})", cluster, taken["cluster"])},
            "ratios": [], "limits": [], "cluster": overhead, "model": throughput_model.predict(inputs), "notes": notes}


def text(c: dict) -> list[str]:
    """The overhead line and the per-snapshot costs behind it."""
    verdict = "meets" if c["met"] else "misses"
    per_round = ", ".join(f"{r:.2f}x" for r in c["round_ratios"])
    node = "-" if c["node_cpu_s"] is None else f"{c['node_cpu_s']:.2f} s"
    return [f"   cluster overhead: 1-node cluster {c['cluster_wall_s']:.2f} s vs local {c['local_wall_s']:.2f} s (medians) = "
            f"{c['ratio']:.2f}x ({verdict} the <= {c['target']:.2f}x target); per round {per_round}",
            f"   cpu: local export {c['local_cpu_s']:.2f} s; cluster: coordinator {c['coordinator_cpu_s']:.2f} s + node {node}; "
            f"a job's own time (median) {c['local_job_s'] * 1000:.1f} ms local, {c['cluster_job_s'] * 1000:.1f} ms on the node"]
