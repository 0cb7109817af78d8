"""The peers that make what a layer needs: tar, compress, and both SHA-256 digests (issue 17).

A layer is not only compressed bytes: an image needs the digest of the uncompressed tar (the
diffID) and of the compressed blob (the descriptor's digest). The plain `tar | zstd` peer computes
neither, so on 2 cores it sits below a layer's CPU floor. These peers add both, with OpenSSL's
SHA-256 (which uses the CPU's SHA instructions), each hashed from a tee of the stream:

    tar -C U -cf - . | tee >(openssl dgst -sha256) | zstd -q -T2 -3 | tee >(openssl dgst -sha256) > OUT && sync OUT

Why each tee sits in `{ tee >(…) && wait $!; }`: bash runs a pipeline's parts in subshells, and
tee knows nothing of the process substitution it writes to. Without the wait, the digest may
still be running when the pipeline (and so the timer) stops, and its CPU is lost from the
shell's rusage (the orphaned openssl is reaped by init, not by the shell the harness waits
for). With it, the subshell reaps openssl: the digest is on disk before the command returns and
its CPU counts in the pipeline's total. openssl's exit status is the group's, so pipefail sees a
failed digest.

The digests go to two small files beside OUT (not synced: a layer writer keeps them in memory);
the harness reads them after each run, checks they are digests, keeps them in the sample and
removes the files.
"""

import os
import re
import shlex

from .measure import BenchError

# Where each digest is written, beside the measured output.
DIFF_ID_SUFFIX, BLOB_SUFFIX = ".diffid.sha256", ".blob.sha256"
# `openssl dgst -sha256 -r` prints "HEX *stdin".
_HEX = re.compile(r"^([0-9a-f]{64}) ")


def _digest_tee(digest_file: str, rest: str = "") -> str:
    """tee the stream into openssl's SHA-256, waiting for the digest before the part ends."""
    return f"{{ tee >(openssl dgst -sha256 -r > {shlex.quote(digest_file)}){rest} && wait $!; }}"


def script(upper: str, compressor: str, output: str) -> str:
    """The bash pipeline: tar the upper, digest, compress, digest, write OUT and sync it."""
    out = shlex.quote(output)
    return (f"tar -C {shlex.quote(upper)} -cf - . | {_digest_tee(output + DIFF_ID_SUFFIX)} | {compressor} | "
            f"{_digest_tee(output + BLOB_SUFFIX, f' > {out}')} && sync {out}")


def argv(compressor: str):
    """A Tool's argv maker for this compressor (e.g. `zstd -q -T2 -3`)."""
    def make(d, output: str) -> list[str]:
        return ["bash", "-o", "pipefail", "-c", script(d.upper, compressor, output)]
    return make


def take_digests(output: str) -> dict:
    """Reads and removes the two digest files of one run; a missing or malformed one means the
    peer did not do a layer's work, so the run is an error, not a figure."""
    found = {}
    for name, suffix in (("diff_id", DIFF_ID_SUFFIX), ("blob_digest", BLOB_SUFFIX)):
        path = output + suffix
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            raise BenchError(f"the layer peer wrote no {name} digest ({path}): {e}") from None
        os.unlink(path)
        m = _HEX.match(text)
        if not m:
            raise BenchError(f"the layer peer's {name} digest is not SHA-256 hex: {text[:120]!r}")
        found[name] = "sha256:" + m.group(1)
    return found
