"""Issue 5's targets, judged from the figures of one run (never across runs or machines).

- big-files: ours within 10 % of the faster of `tar | zstd -T2 -3` and the compressor's own
  2-core throughput on the same bytes in memory (the same rule is shown for lz4).
- export-small: at most 5 ms per snapshot over one `paralleldiff export` of 1,000 snapshots.
- export-many-small: peak RSS at most 256 MiB, and not growing with the snapshot count.
"""

WITHIN = 1.10
# Below this many layer bytes the in-memory time is well under a process start-up, which ours
# and the tar peers pay: a ratio against it would say nothing about compression, so none is judged.
LIMIT_MIN_BYTES = 64 << 20
EXPORT_MS_PER_SNAPSHOT = 5.0
EXPORT_PEAK_RSS_MIB = 256
# "Not growing": from the 10th snapshot to the last, RSS rises by at most this much (MiB) or
# share, whichever is larger; the first snapshots are start-up and JIT, not growth.
FLAT_MIB, FLAT_SHARE = 32, 0.10

# ours → the peers whose faster one it is judged against, and how the line reads
_LIMITS = {
    "ours-zstd": (("tar-zstd", "zstd-memory"), "zstd -3"),
    "ours-lz4": (("tar-lz4", "lz4-memory"), "lz4"),
}


def physical_limit(tools: dict) -> list[dict]:
    """Per codec: the faster of its measured peers, and our wall time as a multiple of it."""
    out = []
    for ours, (peers, what) in _LIMITS.items():
        present = [p for p in peers if p in tools]
        memory = [p for p in present if p.endswith("-memory")]
        if ours not in tools or not memory or tools[memory[0]]["input_bytes"] < LIMIT_MIN_BYTES:
            continue
        fastest = min(present, key=lambda p: tools[p]["summary"]["wall_s"])
        ratio = tools[ours]["summary"]["wall_s"] / tools[fastest]["summary"]["wall_s"]
        out.append({"what": what, "ours": ours, "peers": present, "faster": fastest,
                    "faster_label": tools[fastest]["label"], "ours_vs_faster": ratio,
                    "target": WITHIN, "met": ratio <= WITHIN})
    return out


def flat(after_10th_kib: int, last_kib: int) -> bool:
    growth = (last_kib - after_10th_kib) / 1024
    return growth <= max(FLAT_MIB, after_10th_kib / 1024 * FLAT_SHARE)
