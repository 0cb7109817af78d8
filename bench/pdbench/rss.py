"""A process's resident memory over time, read from /proc/PID/status (VmRSS, KiB).

ru_maxrss from wait4 gives the peak only; whether memory stays flat over a long export needs the
curve. Sampling every 0.5 s costs one small read; the reading when each snapshot finishes is
taken by the caller with `now()` as the progress line arrives.
"""

import threading
import time


def vm_rss_kib(pid: int) -> int | None:
    """None once the process has exited (a zombie's status has no VmRSS line)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


class RssSampler:
    """Samples VmRSS of `pid` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval = pid, interval
        self.started = time.perf_counter()
        self.samples: list[tuple[float, int]] = []   # (seconds since start, KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    def now(self) -> int | None:
        kib = vm_rss_kib(self.pid)
        if kib is not None:
            self.samples.append((time.perf_counter() - self.started, kib))
        return kib

    def _run(self):
        while not self._stop.wait(self.interval):
            self.now()

    @property
    def peak_kib(self) -> int:
        return max((kib for _, kib in self.samples), default=0)
