"""Runs one command and reads what it cost from the kernel.

Wall time is perf_counter around fork+exec+wait. CPU time (user+sys) and peak RSS come from the
rusage that wait4(2) returns for the child: the same numbers GNU time's %U %S %M print, but
without its 10 ms rounding. For a shell pipeline the child is the shell, whose rusage includes
every process it waited for: CPU is the pipeline's total, peak RSS its largest process (Linux
keeps a max, not a sum, in ru_maxrss).
"""

import os
import statistics
import subprocess
import tempfile
import time


class BenchError(Exception):
    """A measured command failed: the bench stops and says which and why."""


def _round(x):
    return None if x is None else round(x, 4)


class Sample:
    """One run. CPU is None where the figure would not mean one pass (the in-memory benchmarks);
    `extra` holds what a special measurement adds (benchmark speed, RSS over time)."""

    __slots__ = ("wall_s", "cpu_s", "user_s", "sys_s", "rss_kib", "bytes_out", "stdout", "extra")

    def __init__(self, wall_s, user_s, sys_s, rss_kib, bytes_out, stdout):
        self.wall_s, self.user_s, self.sys_s = wall_s, user_s, sys_s
        self.cpu_s = None if user_s is None else user_s + sys_s
        self.rss_kib, self.bytes_out, self.stdout = rss_kib, bytes_out, stdout
        self.extra = {}

    def as_dict(self):
        d = {"wall_s": round(self.wall_s, 4), "cpu_s": _round(self.cpu_s), "user_s": _round(self.user_s),
             "sys_s": _round(self.sys_s), "peak_rss_kib": self.rss_kib, "bytes_out": self.bytes_out}
        return {**d, **self.extra}


def run(argv: list[str], output: str | None) -> Sample:
    """Runs argv to completion; `output` is the file it writes (its size is the bytes out)."""
    if output and os.path.lexists(output):
        os.unlink(output)
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - started
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode(errors="replace")
        if p.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()[-2000:]
            raise BenchError(f"exit {p.returncode}: {' '.join(argv)}\n{message}")
    size = os.path.getsize(output) if output else None
    if output:
        os.unlink(output)  # a 2 GiB layer per run would fill the disk
    return Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss, size, stdout)


def summary(samples: list[Sample]) -> dict:
    """Medians over the measured runs, plus the spread of wall time."""
    walls = [s.wall_s for s in samples]
    return {
        "runs": len(samples),
        "wall_s": statistics.median(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_s": None if any(s.cpu_s is None for s in samples) else statistics.median(s.cpu_s for s in samples),
        "peak_rss_kib": int(statistics.median(s.rss_kib for s in samples)),
        "bytes_out": samples[0].bytes_out,
    }
