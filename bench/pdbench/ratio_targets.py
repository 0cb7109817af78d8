"""Targets set on a ratio of one run (ours against a peer, same rounds, medians), and their verdicts.

The verdict is written into the ratio's own entry (`target`), so the table prints it on the
ratio's line and --json carries it where the figure is; `summary` lists them all for the end of
the report and the JSON's top level.

Issue 17 judges ours against the peers that make what a layer needs (layer_peers.py), on the
datasets a layer writer spends its time on; small-on-big is start-up, measured by the latency
probe instead. Against the plain `tar | zstd` (no digests, no lower) the 1.0x stays an aim: that
peer does less than a layer needs, so missing it says where the floor is, not that a target
failed. Issues 13 and 18 set theirs on any dataset they are measured on.
"""

ALL = None  # judged on every dataset the pair is measured on

# (ours, peer, datasets, speed-up at least, size ratio at most, "target" or "aim", issue)
_RULES = [
    ("ours-zstd", "tar-zstd-layer", {"many-small", "mixed", "big-files"}, 1.3, 1.02, "target", 17),
    ("ours-gzip", "tar-pigz-layer", {"many-small", "mixed"}, 2.0, None, "target", 17),
    ("ours-zstd", "tar-zstd", {"many-small", "mixed", "big-files"}, 1.0, None, "aim", 17),
    # Progress on costs at most 1.02x --quiet; a push at most 1.15x the file write, and is 1.5x
    # faster than a layout plus skopeo copy.
    ("ours-zstd-progress", "ours-zstd-quiet", ALL, 0.98, None, "target", 18),
    ("ours-zstd-push", "ours-zstd", ALL, 0.87, None, "target", 13),
    ("ours-zstd-push", "export-skopeo", ALL, 1.5, None, "target", 13),
]


def _verdict(x: dict, min_speedup: float, max_size: float | None, kind: str, issue: int) -> dict:
    speed_met = x["speedup"] >= min_speedup
    # "Size within 2 %" guards against winning time with a weaker compression: a larger layer
    # misses, a smaller one is no harm.
    size_met = None if max_size is None else (x["size_ratio"] is not None and x["size_ratio"] <= max_size)
    return {"kind": kind, "issue": issue, "min_speedup": min_speedup, "max_size_ratio": max_size,
            "speedup_met": speed_met, "size_met": size_met, "met": speed_met and size_met is not False}


def judge(dataset: str, ratios: list[dict]) -> list[dict]:
    """Adds `target` to every ratio entry a rule covers on this dataset; returns the ratios."""
    for x in ratios:
        for ours, peer, names, min_speedup, max_size, kind, issue in _RULES:
            if x["ours"] == ours and x["peer"] == peer and (names is ALL or dataset in names):
                x["target"] = _verdict(x, min_speedup, max_size, kind, issue)
    return ratios


def describe(t: dict) -> str:
    """'target >= 1.30x, size <= 1.02: met' — the words printed beside a ratio."""
    words = f"{t['kind']} >= {t['min_speedup']:.2f}x"
    if t["max_size_ratio"] is not None:
        words += f", size <= {t['max_size_ratio']:.2f}"
    why = ""
    if not t["met"]:
        missed = [w for w, ok in (("speed", t["speedup_met"]), ("size", t["size_met"])) if ok is False]
        why = f" ({' and '.join(missed)})"
    return f"{words}: {'met' if t['met'] else 'missed'}{why}"


def summary(datasets: list[dict]) -> list[dict]:
    """Every judged ratio of the run, in dataset order: for the report's closing lines and the JSON."""
    return [{"dataset": d["name"], "what": x["what"], "ours": x["ours"], "peer": x["peer"],
             "speedup": x["speedup"], "size_ratio": x["size_ratio"], **x["target"]}
            for d in datasets for x in d.get("ratios", []) if "target" in x]
