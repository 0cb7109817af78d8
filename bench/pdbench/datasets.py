"""Datasets on disk: made once per (name, version, seed), cached, described by dataset.json.

Layout under the cache folder:
    datasets/base-image-v1-s<seed>/tree/          the shared lower of small-on-big and mixed
    datasets/<name>-v1-s<seed>/{upper,lower}/      an upper (and its own lower, if any)
    datasets/<name>-v1-s<seed>/dataset.json        how it was made, what it holds
A dataset is made in a temp folder beside its final name and renamed when complete, so a
half-made one is never used; a failure stops the bench with the reason.

    python3 -m pdbench.datasets [--cache DIR] [--seed N] NAME...   (from bench/) makes them
"""

import argparse
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import time

from . import recipes
from .content import Content
from .overlay import KernelOverlay, SyntheticOverlay
from .packages import MTIME_NS

VERSION = 1  # bump when a recipe changes, so stale caches are not reused
DEFAULT_SEED = 20251127
GIB = 1 << 30
# Disk a dataset takes when made (the shared base image counts for the first of its users).
DISK_NEEDED = {"small-on-big": 1.6 * GIB, "many-small": 1.1 * GIB, "big-files": 2.1 * GIB, "mixed": 1.8 * GIB}


class Dataset:
    def __init__(self, name: str, path: str, manifest: dict):
        self.name, self.path, self.manifest = name, path, manifest
        self.upper = os.path.join(path, manifest["upper"])
        self.lowers = [os.path.normpath(os.path.join(path, p)) for p in manifest["lowers"]]
        self.userxattr = manifest.get("userxattr", False)
        self.made_by = manifest["made_by"]
        for d in [self.upper, *self.lowers]:
            if not os.path.isdir(d):
                raise SystemExit(f"dataset {name} at {path}: {d} is missing; delete the folder to have it made again")


def log(msg: str):
    print(msg, file=sys.stderr, flush=True)


def tree_stats(root: str) -> dict:
    """Counts what a directory holds, the way a layer sees it (whiteouts, opaque dirs, links)."""
    s = dict(files=0, dirs=0, symlinks=0, whiteouts=0, opaque_dirs=0, hardlinked=0, other=0, bytes=0)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)):
                continue  # counted below, as a symlink
            s["dirs"] += 1
            try:
                xattr = os.getxattr(os.path.join(dirpath, d), "trusted.overlay.opaque", follow_symlinks=False)
            except OSError:
                try:
                    xattr = os.getxattr(os.path.join(dirpath, d), "user.overlay.opaque", follow_symlinks=False)
                except OSError:
                    xattr = b""
            s["opaque_dirs"] += xattr == b"y"
        for f in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            st = os.lstat(os.path.join(dirpath, f))
            if stat.S_ISREG(st.st_mode):
                s["files"] += 1
                s["bytes"] += st.st_size
                s["hardlinked"] += st.st_nlink > 1
            elif stat.S_ISLNK(st.st_mode):
                s["symlinks"] += 1
            elif stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                s["whiteouts"] += 1
            else:
                s["other"] += 1
    return s


def _fix_dir_mtimes(root: str):
    """Directory mtimes record when the generator ran; pin them so two caches are the same trees."""
    for dirpath, dirnames, _ in os.walk(root, topdown=False):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                os.utime(p, ns=(MTIME_NS, MTIME_NS))


def _make_atomically(final: str, build):
    tmp = f"{final}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        build(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.rename(tmp, final)


def _base_image(cache: str, seed: int, content) -> str:
    final = os.path.join(cache, "datasets", f"base-image-v{VERSION}-s{seed}")
    if not os.path.isdir(final):
        log(f"making the base image (>=50,000 files, >=1 GiB) in {final} ...")
        started = time.monotonic()

        def build(tmp):
            tree = os.path.join(tmp, "tree")
            recipes.base_image(tree, content(), random.Random(f"{seed}/base-image"))
            _fix_dir_mtimes(tree)

        _make_atomically(final, build)
        log(f"  base image made in {time.monotonic() - started:.0f} s")
    return os.path.join(final, "tree")


def _open_writer(upper: str, lowers: list[str], scratch: str):
    """The kernel mount when we can; otherwise the synthetic upper, with the reason. Entered."""
    if os.environ.get("PARALLELDIFF_BENCH_SYNTHETIC") == "1":
        reason = "PARALLELDIFF_BENCH_SYNTHETIC=1"
    elif os.geteuid() != 0:
        reason = "not root: cannot mount overlayfs"
    else:
        try:
            return KernelOverlay(upper, lowers, scratch).__enter__()
        except OSError as e:
            shutil.rmtree(upper, ignore_errors=True)
            reason = f"overlay mount failed: {e}"
    return SyntheticOverlay(upper, lowers, reason).__enter__()


def make(name: str, cache: str, seed: int = DEFAULT_SEED) -> Dataset:
    """The cached dataset, made first if it is not there."""
    if name not in recipes.DATASETS:
        raise SystemExit(f"unknown dataset '{name}' (one of {', '.join(recipes.DATASETS)}, or a path)")
    final = os.path.join(cache, "datasets", f"{name}-v{VERSION}-s{seed}")
    if os.path.isfile(os.path.join(final, "dataset.json")):
        return load(final)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    free = shutil.disk_usage(os.path.dirname(final)).free
    if free < DISK_NEEDED[name]:
        raise SystemExit(f"cannot make dataset {name}: it needs {DISK_NEEDED[name] / GIB:.1f} GiB "
                         f"and {os.path.dirname(final)} has {free / GIB:.1f} GiB free")
    make_lower, recipe, what = recipes.DATASETS[name]
    pools = None

    def content():
        nonlocal pools
        pools = pools or Content(seed)
        return pools

    shared_base = _base_image(cache, seed, content) if make_lower is None else None
    log(f"making dataset {name} ({what}) in {final} ...")
    started = time.monotonic()

    def build(tmp):
        lowers = [shared_base] if shared_base else [os.path.join(tmp, "lower")]
        if make_lower:
            make_lower(lowers[0], content(), random.Random(f"{seed}/{name}/lower"))
            _fix_dir_mtimes(lowers[0])
        upper = os.path.join(tmp, "upper")
        writer = _open_writer(upper, lowers, tmp)
        try:
            recipe(writer, lowers, content(), random.Random(f"{seed}/{name}/upper"))
        finally:
            writer.__exit__(None, None, None)
        _fix_dir_mtimes(upper)
        os.utime(upper, ns=(MTIME_NS, MTIME_NS))
        manifest = {
            "name": name, "version": VERSION, "seed": seed, "what": what,
            "made_by": writer.description,
            "userxattr": getattr(writer, "userxattr", False),
            "upper": "upper",
            "lowers": [os.path.relpath(p, tmp) for p in lowers],  # tmp is renamed to final
            "operations": writer.counts,
            "upper_stats": tree_stats(upper),
            "lower_stats": tree_stats(lowers[0]),
            "generated_seconds": round(time.monotonic() - started, 1),
        }
        with open(os.path.join(tmp, "dataset.json"), "w") as f:
            json.dump(manifest, f, indent=2)

    try:
        _make_atomically(final, build)
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f"cannot make dataset {name}: {e}") from e
    log(f"  {name} made in {time.monotonic() - started:.0f} s")
    return load(final)


def load(path: str) -> Dataset:
    """A made dataset (a folder with dataset.json), or any folder with upper/ and optional lower/."""
    path = os.path.abspath(path)
    manifest_path = os.path.join(path, "dataset.json")
    if os.path.isfile(manifest_path):
        with open(manifest_path) as f:
            m = json.load(f)
        return Dataset(m["name"], path, m)
    if not os.path.isdir(os.path.join(path, "upper")):
        raise SystemExit(f"{path}: not a dataset (no dataset.json, no upper/)")
    lowers = ["lower"] if os.path.isdir(os.path.join(path, "lower")) else []
    m = {"name": os.path.basename(path), "made_by": "given on the command line", "upper": "upper", "lowers": lowers,
         "upper_stats": tree_stats(os.path.join(path, "upper")),
         "lower_stats": tree_stats(os.path.join(path, "lower")) if lowers else {}}
    return Dataset(m["name"], path, m)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m pdbench.datasets", description="make the benchmark datasets")
    p.add_argument("names", nargs="+", choices=list(recipes.DATASETS))
    p.add_argument("--cache", default=os.environ.get("PARALLELDIFF_BENCH_CACHE") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".bench-cache"))
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    for name in args.names:
        d = make(name, os.path.abspath(args.cache), args.seed)
        print(json.dumps({"name": d.name, "path": d.path, "made_by": d.made_by,
                          "upper": d.manifest["upper_stats"], "lower": d.manifest["lower_stats"]}))


if __name__ == "__main__":
    main()
