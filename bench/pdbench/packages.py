"""Debian-like packages: the files a package puts in an image, drawn from a seed.

Used for the shared base image (thousands of packages written straight into a lower dir) and for
the `mixed` upper (a few hundred more "installed" through the overlay).
"""

import random

from .content import BINARY, RANDOM, TEXT

LANGS = ["de", "fr", "es", "it", "ja", "pt_BR", "ru", "zh_CN", "pl", "nl", "sv", "cs"]
MTIME_NS = 1_700_000_000 * 10**9  # 2023-11-14; every generated entry is this or earlier


class Entry:
    """A file (kind, size), a symlink (target) or a hard link (to an earlier path)."""

    __slots__ = ("path", "kind", "size", "mode", "target", "link_to", "mtime_ns")

    def __init__(self, path, kind=None, size=0, mode=0o644, target=None, link_to=None, mtime_ns=MTIME_NS):
        self.path, self.kind, self.size, self.mode = path, kind, size, mode
        self.target, self.link_to, self.mtime_ns = target, link_to, mtime_ns


def package_name(rng: random.Random) -> str:
    syllables = ["lib", "py", "gir", "x", "gnu", "net", "ssl", "ft", "png", "tls", "core", "data", "tools",
                 "perl", "gtk", "qt", "db", "util", "z", "bz", "ca", "dbus", "sys", "fs", "font", "mesa"]
    return "-".join(rng.choice(syllables) + str(rng.randrange(100)) for _ in range(rng.randint(1, 3)))


def _size(rng: random.Random, median: int, cap: int, sigma: float = 1.2) -> int:
    return max(0, min(cap, int(rng.lognormvariate(0, sigma) * median)))


def _mtime(rng: random.Random) -> int:
    return MTIME_NS - rng.randrange(3 * 365 * 86400) * 10**9 - rng.randrange(10**9)


def package(rng: random.Random, name: str) -> list[Entry]:
    """The files of one package, in the usual places of a Debian image."""
    t = _mtime(rng)
    out = [
        Entry(f"usr/share/doc/{name}/copyright", TEXT, _size(rng, 3000, 60_000), mtime_ns=t),
        Entry(f"usr/share/doc/{name}/changelog.Debian.gz", RANDOM, _size(rng, 2500, 40_000), mtime_ns=t),
        Entry(f"var/lib/dpkg/info/{name}.md5sums", TEXT, _size(rng, 1500, 40_000), mtime_ns=t),
        Entry(f"var/lib/dpkg/info/{name}.list", TEXT, _size(rng, 1200, 40_000), mtime_ns=t),
    ]
    if rng.random() < 0.6:
        out.append(Entry(f"usr/bin/{name}", BINARY, _size(rng, 60_000, 8 << 20, 1.4), 0o755, mtime_ns=t))
    if rng.random() < 0.5:
        major, minor = rng.randrange(1, 9), rng.randrange(30)
        lib = f"usr/lib/x86_64-linux-gnu/lib{name}.so.{major}.{minor}.0"
        out.append(Entry(lib, BINARY, _size(rng, 200_000, 24 << 20, 1.5), mtime_ns=t))
        out.append(Entry(f"usr/lib/x86_64-linux-gnu/lib{name}.so.{major}", target=lib.rsplit("/", 1)[1], mtime_ns=t))
    if rng.random() < 0.3:
        out.append(Entry(f"usr/share/man/man1/{name}.1.gz", RANDOM, _size(rng, 3000, 30_000), mtime_ns=t))
    if rng.random() < 0.25:
        module = name.replace("-", "_")
        dirs = [f"usr/lib/python3/dist-packages/{module}"]
        for _ in range(rng.randrange(4)):
            dirs.append(f"{rng.choice(dirs)}/{package_name(rng).replace('-', '_')}")
        for i in range(rng.randint(5, 60)):
            d = rng.choice(dirs)
            out.append(Entry(f"{d}/m{i}.py", TEXT, _size(rng, 6000, 200_000), mtime_ns=t))
            if rng.random() < 0.5:
                out.append(Entry(f"{d}/__pycache__/m{i}.cpython-311.pyc", BINARY, _size(rng, 5000, 150_000), mtime_ns=t))
    if rng.random() < 0.15:
        for i in range(rng.randint(3, 30)):
            out.append(Entry(f"usr/include/{name}/h{i}.h", TEXT, _size(rng, 8000, 300_000), mtime_ns=t))
    if rng.random() < 0.3:
        for lang in rng.sample(LANGS, rng.randint(4, len(LANGS))):
            out.append(Entry(f"usr/share/locale/{lang}/LC_MESSAGES/{name}.mo", BINARY, _size(rng, 15_000, 300_000), mtime_ns=t))
    if rng.random() < 0.1:
        for i in range(rng.randint(5, 50)):
            kind = rng.choice((TEXT, BINARY, RANDOM))
            out.append(Entry(f"usr/share/{name}/data{i}.{kind[:3]}", kind, _size(rng, 12_000, 2 << 20), mtime_ns=t))
    if rng.random() < 0.2:
        out.append(Entry(f"etc/{name}/{name}.conf", TEXT, _size(rng, 2000, 50_000), mtime_ns=t))
    return out


def base_image(rng: random.Random, min_files: int, min_bytes: int) -> list[Entry]:
    """A Debian-like root: packages until `min_files`, then large blobs (a JDK's modules file,
    apt's caches and lists) until `min_bytes`. Names are unique; the list is in creation order."""
    entries = [
        Entry("etc/hosts", TEXT, 0),
        Entry("etc/passwd", TEXT, 1800),
        Entry("etc/ld.so.cache", BINARY, 90_000),
        Entry("var/lib/dpkg/status", TEXT, 3 << 20),
        Entry("var/cache/apt/pkgcache.bin", BINARY, 30 << 20),
        Entry("var/cache/apt/srcpkgcache.bin", BINARY, 30 << 20),
        Entry("bin", target="usr/bin"),
        Entry("lib", target="usr/lib"),
    ]
    entries += [Entry(f"var/lib/apt/lists/deb.example_dists_main_{i}_Packages", TEXT, _size(rng, 4 << 20, 12 << 20, 0.5))
                for i in range(8)]
    seen = {e.path for e in entries}
    while sum(1 for e in entries if e.kind) < min_files:
        for e in package(rng, package_name(rng)):
            if e.path not in seen and e.path.rsplit("/", 1)[0] not in seen:
                seen.add(e.path)
                entries.append(e)
    # Hard links, as perl and a few others ship them.
    binaries = [e for e in entries if e.path.startswith("usr/bin/") and e.kind]
    for e in rng.sample(binaries, 20):
        entries.append(Entry(e.path + ".1", link_to=e.path))
    total = sum(e.size for e in entries if e.kind)
    i = 0
    while total < min_bytes:
        size = min(min_bytes - total + (8 << 20), _size(rng, 40 << 20, 120 << 20, 0.4))
        entries.append(Entry(f"usr/lib/jvm/java-17-openjdk-amd64/lib/blob{i}.jimage", BINARY, size))
        total += size
        i += 1
    return entries
