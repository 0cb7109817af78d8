"""--profile: where our CPU goes on a dataset, for BENCHMARKS.md's "what the profile shows".

Runs our zstd command (and, when they are among the chosen commands, our gzip command and the
layer peers of both, so that a missed target can be read from both sides) once more under `perf record -F 499 -e cpu-clock -g` (cpu-clock: the
hardware cycle counter is not offered in this VM; 499 Hz is off the timer tick so samples do not
beat with it). The executables are NativeAOT, so perf names their frames from their own symbol
tables; no JIT, no perf map. It then prints the top-level split of samples by thread name, by
shared object, and the hottest symbols (the command that big uppers run in is paralleldiff-engine,
exec'd by paralleldiff under the same process id). Thread names map to pipeline parts:

    paralleldiff      the main thread (start-up, and the whole layer on the small-upper path)
    paralleldiff.io   reads and writes (the I/O dispatcher)
    paralleldiff.cp   compression (the CPU dispatcher)
    paralleldiff.ac   the walk actors
    .NET TP Worker    stream stages on the thread pool

A layer peer's pipeline shows up by process name: tar, tee, openssl (the two digests), zstd or
pigz, bash (the shell that runs them).

perf.data stays in the run's scratch folder; the report prints the command to read it again.
"""

import glob
import os
import re
import shlex
import subprocess

PERF = "/usr/bin/perf"
THREAD_ROLES = {
    "paralleldiff.io": "reads and writes",
    "paralleldiff.cp": "compression",
    "paralleldiff.ac": "walk actors",
    ".NET TP Worker": "stream stages (thread pool)",
    ".NET Long Runni": "long-running tasks",
    "paralleldiff": "main thread",   # after the dispatchers: a prefix of their names
    # A layer peer's processes.
    "tar": "reads and archives",
    "tee": "copies the stream for a digest",
    "openssl": "SHA-256 digests",
    "zstd": "compression",
    "pigz": "compression",
    "lz4": "compression",
}
# "    42.17%  paralleldiff.cp" / "    12.00%  libzstd.so.1.5.4": one line per key with --no-children.
_ROW = re.compile(r"^\s*([\d.]+)%\s+(.+?)\s*$")


def _report(perf_data: str, sort: str, limit: float = 0.5) -> list[dict]:
    argv = [PERF, "report", "-i", perf_data, "--stdio", "--no-children", "-g", "none",
            "--sort", sort, "--percent-limit", str(limit)]
    out = subprocess.run(argv, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)}: {out.stderr.strip()[-500:]}")
    rows = []
    for line in out.stdout.splitlines():
        if line.startswith("#"):
            continue
        m = _ROW.match(line)
        if m:
            rows.append({"name": m.group(2), "percent": float(m.group(1))})
    return rows


# "native uint [ZstdSharp] ZstdSharp.Unsafe.Methods::ZSTD_compressBlock(…args…)[OptimizedTier1]":
# the method and its JIT tier, without return type, assembly and arguments.
_MANAGED = re.compile(r"\[[^\]]+\] (\S+?)\(.*\)(\[\w+\])?$")


def _symbol(row: str) -> str:
    """'DSO  [.] SYMBOL' as 'SYMBOL (DSO)', managed signatures shortened."""
    dso, _, sym = re.sub(r"\s+", " ", row).partition(" [")
    sym = sym.split("] ", 1)[-1]
    m = _MANAGED.search(sym)
    if m:
        sym = m.group(1) + (m.group(2) or "")
    return f"{sym} ({'JIT' if dso.startswith('[JIT]') else dso})"


def _role(thread: str) -> str:
    return next((role for prefix, role in THREAD_ROLES.items() if thread.startswith(prefix)), "")


def profile(name: str, argv_writing, scratch: str) -> dict:
    """Runs our command (argv_writing(OUT) is its argv) once under perf record; returns the thread
    and shared-object splits."""
    if not os.access(PERF, os.X_OK):
        return {"error": f"{PERF} is not installed (./run.sh bench --profile installs Debian's linux-perf)"}
    perf_data = os.path.join(scratch, f"perf-{name}.data")
    output = os.path.join(scratch, f"perf-{name}.layer")
    record = [PERF, "record", "-F", "499", "-e", "cpu-clock", "-g", "-o", perf_data, "--", *argv_writing(output)]
    done = subprocess.run(record, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # The layer and what is written beside it (our --report, a layer peer's digests).
    for leftover in glob.glob(glob.escape(output) + "*"):
        os.unlink(leftover)
    if done.returncode != 0:
        return {"error": f"{shlex.join(record)} failed: {done.stderr.strip()[-500:]}"}
    try:
        threads = _report(perf_data, "comm")
        objects = _report(perf_data, "dso")
        symbols = _report(perf_data, "dso,sym", limit=1.0)
    except RuntimeError as e:
        return {"error": str(e), "perf_data": perf_data}
    for t in threads:
        t["role"] = _role(t["name"])
    return {"perf_data": perf_data, "command": shlex.join(record),
            "rerun": f"perf report -i {shlex.quote(perf_data)} --sort comm,dso --no-children",
            "by_thread": threads, "by_dso": objects, "top_symbols": symbols}


def text(p: dict) -> list[str]:
    """The report's lines for one dataset's profile."""
    if "error" in p:
        return [f"   profile: not taken: {p['error']}"]
    out = [f"   profile (perf, cpu-clock at 499 Hz; share of all samples): {p['command']}"]
    out += ["   by thread: " + ", ".join(f"{t['name']} {t['percent']:.1f}%" + (f" ({t['role']})" if t["role"] else "")
                                      for t in p["by_thread"])]
    out += ["   by object: " + ", ".join(f"{'JIT-compiled code' if o['name'].startswith('[JIT]') else o['name']} {o['percent']:.1f}%"
                                      for o in p["by_dso"][:10])]
    out += ["   hottest symbols (>= 1%):"]
    out += [f"     {x['percent']:5.1f}%  {_symbol(x['name'])}" for x in p.get("top_symbols", [])[:12]]
    out += [f"   read it again: {p['rerun']}"]
    return out
