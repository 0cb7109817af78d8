"""The four datasets: what each upper holds, done as changes to the merged view.

A recipe gets a Writer (kernel overlay or synthetic), the lower dirs, the content pools and a
seeded Random; it must be deterministic in all three. The base image is shared by small-on-big
and mixed, so it is written once.
"""

import os
import random

from . import packages
from .content import BINARY, RANDOM, TEXT, Content
from .overlay import Writer
from .packages import MTIME_NS, Entry

GIB = 1 << 30


def write_tree(root: str, entries: list[Entry], content: Content, rng: random.Random):
    """Writes entries straight into a plain directory (a lower layer)."""
    for e in entries:
        p = os.path.join(root, e.path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if e.target is not None:
            os.symlink(e.target, p)
        elif e.link_to is not None:
            os.link(os.path.join(root, e.link_to), p)
        else:
            with open(p, "wb") as f:
                for chunk in content.chunks(rng, e.kind, e.size):
                    f.write(chunk)
            os.chmod(p, e.mode)
            os.utime(p, ns=(e.mtime_ns, e.mtime_ns))


def apply_entries(w: Writer, entries: list[Entry], content: Content, rng: random.Random):
    """Writes entries through the merged view, creating parent dirs as `mkdir -p` would."""
    for e in entries:
        w.makedirs(os.path.dirname(e.path))
        if e.target is not None:
            w.symlink(e.target, e.path)
        elif e.link_to is not None:
            w.link(e.link_to, e.path)
        else:
            w.write(e.path, content.chunks(rng, e.kind, e.size), e.mode, e.mtime_ns)


def base_image(root: str, content: Content, rng: random.Random):
    """≥ 50,000 files and ≥ 1 GiB, Debian-like (shared lower of small-on-big and mixed)."""
    write_tree(root, packages.base_image(rng, min_files=50_000, min_bytes=GIB), content, rng)


def small_on_big(w: Writer, lowers: list[str], content: Content, rng: random.Random):
    """`RUN echo hello > /hello && echo '::1 localhost' >> /etc/hosts` on a big image."""
    w.write("hello", [b"hello\n"], 0o644, MTIME_NS + 1)
    w.append("etc/hosts", b"::1 localhost ip6-localhost ip6-loopback\n", MTIME_NS + 2)


def many_small_lower(root: str, content: Content, rng: random.Random):
    """300 dirs of 15 small files each: the names many-small deletes and replaces."""
    entries = []
    for g in range(300):
        for i in range(15):
            kind = rng.choice((TEXT, TEXT, BINARY))
            entries.append(Entry(f"opt/old/g{g // 30:02d}/d{g:03d}/f{i:02d}", kind, rng.randrange(16 << 10)))
    write_tree(root, entries, content, rng)


def many_small(w: Writer, lowers: list[str], content: Content, rng: random.Random):
    """100,000 files of 0-64 KiB in a deep tree; 1,250 whiteouts of files, 20 of dirs; 30 opaque dirs."""
    lower_dirs = [f"opt/old/g{g // 30:02d}/d{g:03d}" for g in range(300)]
    rng.shuffle(lower_dirs)
    removed_trees, recreated, kept = lower_dirs[:20], lower_dirs[20:50], lower_dirs[50:]
    for d in kept:
        for i in rng.sample(range(15), 5):
            w.remove(f"{d}/f{i:02d}")
    for d in removed_trees:
        w.rmtree(d)
    for d in recreated:
        w.recreate_dir(d)
    # A random recursive tree of 8,000 new dirs (mean depth ~10), rooted in new top dirs, in
    # the recreated (opaque) dirs and in surviving lower dirs (which forces their copy-up).
    dirs = [(d, d.count("/") + 1) for d in ["srv", "app", "home/user"] + recreated + kept[:40]]
    for d, _ in dirs:
        w.makedirs(d)
    for i in range(8000):
        parent, depth = rng.choice(dirs)
        if depth >= 16:
            parent, depth = rng.choice(dirs[:3])
        d = f"{parent}/n{i:04d}"
        w.mkdir(d)
        dirs.append((d, depth + 1))
    for i in range(100_000):
        d, _ = rng.choice(dirs)
        size = 0 if rng.random() < 0.04 else min(64 << 10, int(rng.expovariate(1 / 7000)))
        kind = rng.choices((TEXT, BINARY, RANDOM), weights=(6, 3, 1))[0]
        w.write(f"{d}/f{i:06d}.{kind[:3]}", [content.data(rng, kind, size)], 0o644, MTIME_NS - rng.randrange(10**15))


def big_files_lower(root: str, content: Content, rng: random.Random):
    write_tree(root, [Entry("data/README", TEXT, 4000)], content, rng)


def big_files(w: Writer, lowers: list[str], content: Content, rng: random.Random):
    """One 1 GiB incompressible file and one 1 GiB compressible (text-like) file."""
    w.write("data/incompressible.bin", content.chunks(rng, RANDOM, GIB), 0o644, MTIME_NS)
    w.write("data/compressible.log", content.chunks(rng, TEXT, GIB), 0o644, MTIME_NS)


def mixed(w: Writer, lowers: list[str], content: Content, rng: random.Random):
    """What `apt-get update && apt-get install -y <200 packages> && cleanup` leaves on the base image."""
    base = lowers[-1]
    # apt-get update: `rm -rf /var/lib/apt/lists && mkdir` is an opaque dir; the caches go.
    w.recreate_dir("var/lib/apt/lists")
    for i in range(6):
        w.write(f"var/lib/apt/lists/deb.example_dists_main_{i}_Packages", content.chunks(rng, TEXT, rng.randrange(1 << 20, 4 << 20)))
    w.remove("var/cache/apt/pkgcache.bin")
    w.remove("var/cache/apt/srcpkgcache.bin")
    # The packages: new files in existing dirs copy those dirs up.
    installed = []
    for _ in range(200):
        name = "new-" + packages.package_name(rng)
        if name not in {n for n, _ in installed}:
            entries = packages.package(rng, name)
            apply_entries(w, entries, content, rng)
            installed.append((name, entries))
    new_binaries = [e.path for _, es in installed for e in es if e.path.startswith("usr/bin/")]
    for p in rng.sample(new_binaries, min(40, len(new_binaries))):
        w.link(p, p + "-1.0")
    lower_binaries = sorted(os.listdir(os.path.join(base, "usr/bin")))
    for p in rng.sample(lower_binaries, 5):
        w.link(f"usr/bin/{p}", f"usr/bin/{p}.hardlink")  # a link to a lower file copies it up first
    w.makedirs("etc/alternatives")
    for p in rng.sample(new_binaries, min(30, len(new_binaries))):
        alt = os.path.basename(p) + "-alt"
        w.symlink(f"/{p}", f"etc/alternatives/{alt}")
        w.symlink(f"/etc/alternatives/{alt}", f"usr/bin/{alt}")
    # dpkg's database and the loader cache change; a few modes change (metadata copy-up).
    w.append("var/lib/dpkg/status", content.data(rng, TEXT, 200_000))
    w.write("etc/ld.so.cache", content.chunks(rng, BINARY, 110_000))
    w.append("etc/passwd", b"app:x:1000:1000::/home/app:/bin/sh\n")
    for p in rng.sample(lower_binaries, 5):
        w.chmod(f"usr/bin/{p}", 0o700)
    if new_binaries:
        # security.capability v2 with cap_net_raw permitted and effective (as ping ships).
        w.setxattr(new_binaries[0], "security.capability", bytes.fromhex("01000002" "00200000" "00000000" "00000000" "00000000"))
    # Cleanup: localepurge and doc removal leave whiteouts for lower files and dirs.
    locale = os.path.join(base, "usr/share/locale")
    mo_files = sorted(f"usr/share/locale/{lang}/LC_MESSAGES/{f}" for lang in sorted(os.listdir(locale))
                      for f in os.listdir(os.path.join(locale, lang, "LC_MESSAGES")))
    for p in rng.sample(mo_files, min(400, len(mo_files))):
        w.remove(p)
    docs = sorted(os.listdir(os.path.join(base, "usr/share/doc")))
    for d in rng.sample(docs, 30):
        w.rmtree(f"usr/share/doc/{d}")


# name → (lower maker or None for the shared base, upper recipe, what it is)
DATASETS = {
    "small-on-big": (None, small_on_big, "one new and one modified file on a base of >=50,000 files / >=1 GiB"),
    "many-small": (many_small_lower, many_small, "100,000 files of 0-64 KiB in a deep tree, whiteouts, opaque dirs"),
    "big-files": (big_files_lower, big_files, "one 1 GiB incompressible and one 1 GiB compressible file"),
    "mixed": (None, mixed, "a package install on the base: copy-ups, thousands of new files, whiteouts, links"),
}
