"""The compressor's physical limit: the same uncompressed layer bytes compressed in memory.

Issue 5's big-files target is "ours within 10 % of the faster of `tar | zstd -T2 -3` and the
compressor's own 2-core throughput on the same bytes in memory". The second figure comes from
the compressor's benchmark mode (`zstd -b`, `lz4 -b`): it loads the whole file, then compresses
it in memory for at least one second and prints the best speed. No reads, no pipes, no writes:
what is left is the codec itself, which no layer writer can beat.

The input is our own `--compression none` layer of the dataset, written once per dataset into the
run's scratch folder (so the bytes are exactly the ones ours-zstd compresses), and removed after.
The speed (MB/s, 10^6 bytes: benchzstd.c's MB_UNIT, lz4's bytes per microsecond) becomes a time
for the layer's size. CPU is not reported: the tool's rusage also counts loading the file,
several compression loops and the decompression benchmark, which is not the cost of one pass.

gzip has no such peer: neither gzip nor pigz has a benchmark mode, and `zstd -b` benchmarks
only zstd's own format.
"""

import os
import re
import subprocess
import time

from .measure import BenchError, Sample

# "-3     50001156 (1.000)  44.71 MB/s 1381.1 MB/s  file" (the -q line of zstd 1.5 and lz4 1.9)
# or "3#file : 50000000 -> 50001156 (x1.000),   44.0 MB/s, 3461.4 MB/s" (the \r progress line).
_SPEEDS = re.compile(r"([\d.]+)\s*MB/s\s*,?\s*([\d.]+)\s*MB/s")
_QUIET = re.compile(r"^\s*-?\d+\s+(\d+)\s+\(")
_PROGRESS = re.compile(r":\s*(\d+)\s*->\s*(\d+)")
# "bench 1.5.4 : input 50000000 bytes, 1 seconds, 0 KB blocks": less than the file when the tool
# found too little memory to load all of it.
_INPUT = re.compile(r"input (\d+) bytes")


def parse(text: str) -> tuple[float, int | None]:
    """(compression MB/s, compressed bytes) from a benchmark's output; the last complete line wins.

    The tools print progress lines ended by \\r and overwrite them; only the final figure counts.
    """
    for line in reversed(re.split(r"[\r\n]", text)):
        speeds = _SPEEDS.search(line)
        if not speeds:
            continue
        size = _QUIET.search(line) or _PROGRESS.search(line)
        compressed = int(size.group(size.lastindex)) if size else None
        return float(speeds.group(1)), compressed
    raise ValueError(f"no 'N MB/s, N MB/s' line in the benchmark output: {text[-300:]!r}")


def argv(tool: str, level: int, threads: int, path: str) -> list[str]:
    """-q prints one clean result line; -i1 is the shortest benchmark (1 s of loops per side)."""
    if tool == "zstd":
        return ["zstd", "-q", f"-b{level}", f"-T{threads}", "-i1", path]
    if tool == "lz4":
        return ["lz4", "-q", f"-b{level}", "-i1", path]
    raise ValueError(tool)


def run(command: list[str], input_path: str) -> Sample:
    """Runs a benchmark and turns its speed into the wall time of one pass over the input."""
    size = os.path.getsize(input_path)
    started = time.perf_counter()
    p = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = p.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError(f"exit {os.waitstatus_to_exitcode(status)}: {' '.join(command)}\n{output[-2000:]}")
    try:
        mb_per_s, compressed = parse(output)
    except ValueError as e:
        raise BenchError(f"{' '.join(command)}: {e}") from None
    sample = Sample(size / (mb_per_s * 1e6), None, None, usage.ru_maxrss, compressed, output)
    loaded = _INPUT.search(output)
    sample.extra = {"mb_per_s": mb_per_s, "input_bytes": size, "tool_wall_s": round(elapsed, 2),
                    "benchmarked_bytes": int(loaded.group(1)) if loaded else None}
    return sample
