"""--compare REV: this revision's CLI against another revision's, measured in one run.

Two runs on a shared 2-core machine differ by more than most changes do, so a change's effect
is read as a ratio inside one run: every command of ours is measured twice per round, once with
this worktree's CLI and once with REV's (its "twin", key `ours-zstd@abc1234`), one right after
the other, the pair's order swapped every round so that neither always runs first (after a peer
or after the other CLI). The peers run once per round as usual.

REV's CLI is built the way that revision builds itself: in a temporary detached worktree
(`git worktree add --detach`), by its own `./run.sh --version` (run.sh builds the NativeAOT CLI
into its artifacts/cli first). The executables are then kept in the cache under
`compare-cli/<full commit id>/` (a commit's sources never change, so a second comparison
against it skips the ~5 minute build; delete the folder to rebuild), and the temporary worktree
is removed whatever happened.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from .tools import Tool

# What the bench needs of a build: the executables and their config, not the debug symbols.
_LEFT_OUT = (".dbg", ".pdb")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def _git(root: str, *args, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"--compare: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _build_in_worktree(root: str, commit: str, into: str):
    """Checks `commit` out in a temporary worktree, builds it with its own run.sh, copies the
    CLI folder to `into`; the worktree goes away even when the build fails."""
    tmp = tempfile.mkdtemp(prefix="paralleldiff-compare-")
    try:
        _git(root, "worktree", "add", "--detach", tmp, commit)
        log(f"--compare: building {commit[:12]} in {tmp} with its own ./run.sh --version (about 5 minutes) ...")
        # Its output goes to our stderr: the table or JSON on stdout stays clean. Its own CLI, not ours.
        env = {k: v for k, v in os.environ.items() if k != "PARALLELDIFF_CLI"}
        done = subprocess.run([os.path.join(tmp, "run.sh"), "--version"], cwd=tmp, env=env,
                              stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
        built = os.path.join(tmp, "artifacts", "cli")
        if done.returncode != 0 or not os.access(os.path.join(built, "paralleldiff"), os.X_OK):
            raise SystemExit(f"--compare: building {commit[:12]} failed (exit {done.returncode}); see above")
        partial = into + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(built, partial, ignore=lambda _, names: [n for n in names if n.endswith(_LEFT_OUT)])
        os.rename(partial, into)
    finally:
        _git(root, "worktree", "remove", "--force", tmp, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
        _git(root, "worktree", "prune", check=False)


def build(root: str, rev: str, cache: str) -> dict:
    """REV's CLI, built (or found already built) for this comparison."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    short = _git(root, "rev-parse", "--short", commit)
    folder = os.path.join(cache, "compare-cli", commit)
    cli = os.path.join(folder, "paralleldiff")
    started = time.monotonic()
    if os.access(cli, os.X_OK):
        how = "built by an earlier comparison"
    else:
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        _build_in_worktree(root, commit, folder)
        how = f"built in {time.monotonic() - started:.0f} s in a temporary worktree"
    log(f"--compare: {rev} is {short}; its CLI {how}")
    return {"rev": rev, "commit": short, "full_commit": commit, "cli": cli, "how": how}


def twins(theirs: list[Tool], chosen_keys: set, short: str) -> list[Tool]:
    """REV's versions of the chosen commands of ours (from all_tools on REV's CLI)."""
    return [Tool(f"{t.key}@{short}", f"{t.label} @{short}", True, t.argv, t.writes_output, t.kind, t.digests)
            for t in theirs if t.ours and t.key in chosen_keys]


def interleave(chosen: list[Tool], twin_tools: list[Tool]) -> list[Tool]:
    """Each of ours directly followed by its twin, so the pair runs back to back."""
    by_base = {t.key.rsplit("@", 1)[0]: t for t in twin_tools}
    out = []
    for t in chosen:
        out.append(t)
        if t.key in by_base:
            out.append(by_base[t.key])
    return out


def round_order(order: list[Tool], round_index: int) -> list[Tool]:
    """Odd rounds run each twin before its original, so a fixed position favours neither CLI."""
    if round_index % 2 == 0:
        return order
    out, i = list(order), 0
    while i < len(out) - 1:
        if out[i + 1].key.startswith(out[i].key + "@"):
            out[i], out[i + 1] = out[i + 1], out[i]
            i += 2
        else:
            i += 1
    return out


def pairs(twin_tools: list[Tool], head: str, short: str) -> list[tuple[str, str, str]]:
    """(this rev's key, REV's key, what): speed-up = REV's wall / this rev's wall (above 1: faster now)."""
    return [(t.key.rsplit("@", 1)[0], t.key, f"{t.label.rsplit(' @', 1)[0]}: {head} vs {short}") for t in twin_tools]
