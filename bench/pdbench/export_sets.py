"""The snapshot sets of the bulk export scenarios (`paralleldiff export`, issue 5).

- export-small: 1,000 uppers on the shared base image, each what one small `RUN` step leaves
  (like small-on-big's: a new /hello, a line appended to /etc/hosts, a small new config file),
  seeded per snapshot so no two layers are the same. Made once and cached beside the datasets:
      datasets/export-small-v1-s<seed>/uppers/s0000 … s0999, dataset.json
  Each upper is made the way the datasets' are (a kernel overlay mount when root, else synthetic).
- export-small-cluster: export-small's uppers, pushed through a 1-node cluster and by a local
  export in alternation (cluster_bench.py): the cluster's overhead (issue 14).
- export-many-small: the cached many-small upper listed N times (50 by default). The layers are
  then all the same blob, which the layout stores once; each job still reads, compresses and
  writes the whole layer, which is what the memory measurement needs.

A count below the made set's size uses its first N uppers; above it, the set is made again larger.
"""

import json
import os
import random
import shutil
import time

from . import datasets
from .content import TEXT, Content
from .packages import MTIME_NS

VERSION = 1  # bump when the per-snapshot recipe changes
SMALL_COUNT = 1000
MANY_SMALL_COUNT = 50
SCENARIOS = {
    "export-small": "one export of 1,000 small snapshots (a few small files each) on the base image",
    "export-many-small": "one export of the many-small upper listed 50 times, memory sampled as it runs",
    "export-small-cluster": "export-small's 1,000 snapshots pushed through a 1-node cluster and by a local export, alternating",
}


class SnapshotSet:
    """What one export runs: uppers over the same lowers."""

    def __init__(self, name: str, path: str, uppers: list[str], lowers: list[str], userxattr: bool,
                 made_by: str, manifest: dict, note: str = ""):
        self.name, self.path, self.uppers, self.lowers = name, path, uppers, lowers
        self.userxattr, self.made_by, self.manifest, self.note = userxattr, made_by, manifest, note

    def jobs(self) -> list[dict]:
        """The job file's list: ids are ref names, one per upper, in order."""
        job = {"userxattr": True} if self.userxattr else {}
        return [{"id": f"snap-{i:04d}", "upper": u, "lower": self.lowers, **job} for i, u in enumerate(self.uppers)]


def _small_step(w, i: int, content: Content, rng: random.Random):
    """One small RUN step: `echo … > /hello && echo … >> /etc/hosts && write /srv/app/config.json`."""
    w.write("hello", [f"hello from snapshot {i}\n".encode()], 0o644, MTIME_NS + 1)
    w.append("etc/hosts", f"10.0.{i // 256}.{i % 256} snap-{i}\n".encode(), MTIME_NS + 2)
    w.makedirs("srv/app")
    w.write("srv/app/config.json", [content.data(rng, TEXT, rng.randrange(100, 4000))], 0o644, MTIME_NS + 3)


def _make_small(final: str, count: int, cache: str, seed: int) -> None:
    pools = None

    def content():
        nonlocal pools
        pools = pools or Content(seed)
        return pools

    base = datasets._base_image(cache, seed, content)
    datasets.log(f"making {count} export-small uppers in {final} ...")
    started = time.monotonic()

    def build(tmp):
        made_by, userxattr = "", False
        for i in range(count):
            upper = os.path.join(tmp, "uppers", f"s{i:04d}")
            writer = datasets._open_writer(upper, [base], tmp)
            try:
                _small_step(writer, i, content(), random.Random(f"{seed}/export-small/{i}"))
            finally:
                writer.__exit__(None, None, None)
            datasets._fix_dir_mtimes(upper)
            os.utime(upper, ns=(MTIME_NS, MTIME_NS))
            made_by, userxattr = writer.description, getattr(writer, "userxattr", False)
        one = datasets.tree_stats(os.path.join(tmp, "uppers", "s0000"))
        manifest = {"name": "export-small", "version": VERSION, "seed": seed, "what": SCENARIOS["export-small"],
                    "count": count, "made_by": made_by, "userxattr": userxattr,
                    "lowers": [os.path.relpath(base, final)], "upper_stats": one,
                    "lower_stats": datasets.tree_stats(base),
                    "generated_seconds": round(time.monotonic() - started, 1)}
        with open(os.path.join(tmp, "dataset.json"), "w") as f:
            json.dump(manifest, f, indent=2)

    datasets._make_atomically(final, build)
    datasets.log(f"  export-small made in {time.monotonic() - started:.0f} s")


def export_small(cache: str, seed: int, count: int) -> SnapshotSet:
    final = os.path.join(cache, "datasets", f"export-small-v{VERSION}-s{seed}")
    manifest_path = os.path.join(final, "dataset.json")
    if os.path.isfile(manifest_path):
        with open(manifest_path) as f:
            made = json.load(f)["count"]
        if made < count:
            datasets.log(f"export-small: the cached set has {made} uppers, {count} asked: making it again")
            old = f"{final}.old-{os.getpid()}"
            os.rename(final, old)  # out of the way first, so a crash never leaves a half-removed set
            shutil.rmtree(old)
    if not os.path.isfile(manifest_path):
        _make_small(final, max(count, SMALL_COUNT), cache, seed)
    with open(manifest_path) as f:
        m = json.load(f)
    uppers = [os.path.join(final, "uppers", f"s{i:04d}") for i in range(count)]
    lowers = [os.path.normpath(os.path.join(final, p)) for p in m["lowers"]]
    m["what"] = SCENARIOS["export-small"].replace("1,000", f"{count:,}")
    note = "upper figures are of one snapshot (snap-0000); every snapshot is alike"
    return SnapshotSet("export-small", final, uppers, lowers, m["userxattr"], m["made_by"], m, note)


def export_many_small(cache: str, seed: int, count: int) -> SnapshotSet:
    d = datasets.make("many-small", cache, seed)
    m = {**d.manifest, "what": SCENARIOS["export-many-small"].replace("50", f"{count:,}")}
    note = (f"the same many-small upper is listed {count} times with different ids: one blob in the layout, "
            f"but every job reads, compresses and writes the whole layer")
    return SnapshotSet("export-many-small", d.path, [d.upper] * count, d.lowers, d.userxattr, d.made_by, m, note)


def load(name: str, cache: str, seed: int, count: int | None) -> SnapshotSet:
    if name == "export-small":
        return export_small(cache, seed, count or SMALL_COUNT)
    if name == "export-small-cluster":
        # The same cached uppers; only what is run on them differs (cluster_bench.py).
        s = export_small(cache, seed, count or SMALL_COUNT)
        s.name = name
        s.manifest = {**s.manifest, "what": SCENARIOS[name].replace("1,000", f"{len(s.uppers):,}")}
        return s
    return export_many_small(cache, seed, count or MANY_SMALL_COUNT)
