"""Making an upperdir: through a real kernel overlay mount, or synthetically when that is not possible.

Both writers take the same operations on paths relative to the merged root, so a dataset recipe
is written once. The kernel writer does them in the merged dir and lets overlayfs decide what the
upper holds (copy-ups, whiteouts, opaque dirs): that is the upper a container runtime leaves. The
synthetic writer imitates those rules by hand (kernel Documentation/filesystems/overlayfs.rst) for
machines where mounting is not allowed; the dataset's manifest says which one made it.
"""

import os
import shutil
import stat
import subprocess


class Writer:
    """Operations on the merged view; subclasses decide how they land in the upper."""

    # Shared by both writers: what a recipe did, for the manifest.
    def __init__(self):
        self.counts = {"removed": 0, "removed_trees": 0, "recreated_dirs": 0}

    def path(self, rel: str) -> str:
        raise NotImplementedError

    def write(self, rel: str, chunks, mode: int = 0o644, mtime_ns: int | None = None):
        self._prepare_create(rel)
        p = self.path(rel)
        with open(p, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.chmod(p, mode)
        if mtime_ns is not None:
            os.utime(p, ns=(mtime_ns, mtime_ns))

    def append(self, rel: str, data: bytes, mtime_ns: int | None = None):
        self._prepare_modify(rel)
        p = self.path(rel)
        with open(p, "ab") as f:
            f.write(data)
        if mtime_ns is not None:
            os.utime(p, ns=(mtime_ns, mtime_ns))

    def mkdir(self, rel: str, mode: int = 0o755):
        self._prepare_create(rel)
        os.mkdir(self.path(rel), mode)

    def makedirs(self, rel: str):
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if not os.path.lexists(self.path(sub)):
                self.mkdir(sub)

    def symlink(self, target: str, rel: str):
        self._prepare_create(rel)
        os.symlink(target, self.path(rel))

    def link(self, existing: str, rel: str):
        self._prepare_modify(existing)
        self._prepare_create(rel)
        os.link(self.path(existing), self.path(rel))

    def chmod(self, rel: str, mode: int):
        self._prepare_modify(rel)
        os.chmod(self.path(rel), mode)

    def setxattr(self, rel: str, name: str, value: bytes):
        self._prepare_modify(rel)
        os.setxattr(self.path(rel), name, value, follow_symlinks=False)

    def remove(self, rel: str):
        self.counts["removed"] += 1
        self._remove(rel)

    def rmtree(self, rel: str):
        self.counts["removed_trees"] += 1
        self._rmtree(rel)

    def recreate_dir(self, rel: str):
        """`rm -rf DIR && mkdir DIR` of a lower dir: the kernel makes an opaque dir."""
        self.counts["recreated_dirs"] += 1
        self._rmtree(rel)
        self.mkdir(rel)

    # Kernel behaviour by default: the merged dir does it all.
    def _prepare_create(self, rel: str):
        pass

    def _prepare_modify(self, rel: str):
        pass

    def _remove(self, rel: str):
        os.unlink(self.path(rel))

    def _rmtree(self, rel: str):
        shutil.rmtree(self.path(rel))


class KernelOverlay(Writer):
    """mount -t overlay with index=off,redirect_dir=off (what BuildKit and containerd snapshotters use)."""

    def __init__(self, upper: str, lowers: list[str], scratch: str):
        super().__init__()
        self.upper, self.lowers = upper, lowers
        self.work = os.path.join(scratch, "work")
        self.merged = os.path.join(scratch, "merged")
        self.mounted = False

    @property
    def description(self) -> str:
        return "kernel overlay mount (index=off,redirect_dir=off; changes made in the merged dir)"

    def __enter__(self):
        for d in (self.upper, self.work, self.merged):
            os.makedirs(d, exist_ok=True)
        options = f"lowerdir={':'.join(self.lowers)},upperdir={self.upper},workdir={self.work},index=off,redirect_dir=off"
        result = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, self.merged],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise OSError(f"mount -t overlay -o {options} {self.merged}: {result.stderr.strip()}")
        self.mounted = True
        return self

    def __exit__(self, *exc):
        if self.mounted:
            subprocess.run(["umount", self.merged], check=True)
            self.mounted = False
        shutil.rmtree(self.work, ignore_errors=True)
        os.rmdir(self.merged)
        return False

    def path(self, rel: str) -> str:
        return os.path.join(self.merged, rel)


class SyntheticOverlay(Writer):
    """Writes the upper directly, following the kernel's copy-up and whiteout rules.

    As root it writes char 0/0 whiteouts and trusted.overlay.opaque; otherwise whiteouts cannot be
    made (mknod needs CAP_MKNOD), so removals are left out (counted in `skipped_whiteouts`),
    security.* xattrs are left out (`skipped_xattrs`), and opaque dirs use user.overlay.opaque,
    which the diff must read with --userxattr.
    """

    def __init__(self, upper: str, lowers: list[str], reason: str):
        super().__init__()
        self.upper, self.lowers, self.reason = upper, lowers, reason
        self.root = os.geteuid() == 0
        self.userxattr = not self.root
        self.counts["skipped_whiteouts"] = 0
        self._hidden: set[str] = set()   # removed or recreated: lower entries at or below are gone

    @property
    def description(self) -> str:
        return f"synthetic upper written by hand ({self.reason})"

    def __enter__(self):
        os.makedirs(self.upper, exist_ok=True)
        return self

    def __exit__(self, *exc):
        return False

    def path(self, rel: str) -> str:
        return os.path.join(self.upper, rel)

    def _lower(self, rel: str) -> str | None:
        """The lower path that shows at `rel` in the merged view, if any."""
        parts = rel.split("/")
        if any("/".join(parts[:i]) in self._hidden for i in range(1, len(parts) + 1)):
            return None
        for lower in self.lowers:
            p = os.path.join(lower, rel)
            if os.path.lexists(p):
                return p
        return None

    def _copy_up_dir(self, rel: str):
        if not rel or os.path.lexists(self.path(rel)):
            return
        self._copy_up_dir(os.path.dirname(rel))
        source = self._lower(rel)
        st = os.lstat(source) if source else None
        os.mkdir(self.path(rel), stat.S_IMODE(st.st_mode) if st else 0o755)
        if st:
            os.utime(self.path(rel), ns=(st.st_atime_ns, st.st_mtime_ns))

    def _prepare_create(self, rel: str):
        self._copy_up_dir(os.path.dirname(rel))
        p = self.path(rel)
        if os.path.lexists(p) and stat.S_ISCHR(os.lstat(p).st_mode):
            os.unlink(p)  # a new entry replaces its whiteout

    def _prepare_modify(self, rel: str):
        self._copy_up_dir(os.path.dirname(rel))
        if not os.path.lexists(self.path(rel)):
            source = self._lower(rel)
            if source is None:
                raise FileNotFoundError(rel)
            shutil.copy2(source, self.path(rel), follow_symlinks=False)

    def _whiteout(self, rel: str):
        self._copy_up_dir(os.path.dirname(rel))
        if self.root:
            os.mknod(self.path(rel), stat.S_IFCHR | 0o000, os.makedev(0, 0))
        else:
            self.counts["skipped_whiteouts"] += 1

    def _remove(self, rel: str):
        in_lower = self._lower(rel) is not None
        if os.path.lexists(self.path(rel)):
            os.unlink(self.path(rel))
        if in_lower:
            self._whiteout(rel)
            self._hidden.add(rel)

    def _rmtree(self, rel: str):
        in_lower = self._lower(rel) is not None
        if os.path.lexists(self.path(rel)):
            shutil.rmtree(self.path(rel))
        if in_lower:
            self._whiteout(rel)
            self._hidden.add(rel)

    def setxattr(self, rel: str, name: str, value: bytes):
        if not self.root and not name.startswith("user."):
            self.counts["skipped_xattrs"] = self.counts.get("skipped_xattrs", 0) + 1  # needs CAP_SETFCAP / CAP_SYS_ADMIN
            return
        super().setxattr(rel, name, value)

    def mkdir(self, rel: str, mode: int = 0o755):
        replaces_lower = rel in self._hidden
        self._prepare_create(rel)
        os.mkdir(self.path(rel), mode)
        if replaces_lower:
            # A dir over a whiteout hides everything below it in the lowers (overlayfs.rst "whiteouts and opaque directories").
            prefix = "trusted.overlay." if self.root else "user.overlay."
            os.setxattr(self.path(rel), prefix + "opaque", b"y")
