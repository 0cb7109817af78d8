"""Seeded file contents that compress like real image files do.

Every file takes slices of one of a few pools built once per seed: text-like (Zipf-distributed
words in lines, ~3x under zstd -3), binary-like (machine-code-ish tokens, small integers, zero
runs and random stretches, ~2x), and incompressible (already-compressed files: .gz, .png, .jar).
Slices start at seeded offsets in 32 MiB pools, so neighbouring files rarely repeat each other
inside a compressor's window (zstd -3 looks back 2 MiB, gzip 32 KiB).
"""

import itertools
import random

POOL_SIZE = 32 << 20
TEXT, BINARY, RANDOM = "text", "binary", "random"
KINDS = (TEXT, BINARY, RANDOM)


def _text_pool(rng: random.Random) -> bytes:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    letter_weights = list(itertools.accumulate(26 - i for i in range(26)))
    words = ["".join(rng.choices(letters, cum_weights=letter_weights, k=rng.randint(1, 10))) for _ in range(8000)]
    # A few code and config tokens so the text looks like sources, docs and /etc files.
    words += ["{", "}", "=", "();", "return", "#include", "def", "self.", "0x", "/usr/lib", "--", "::", "if", "else"]
    weights = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(words))))
    # Words end in a space or a line break (some lines indented), picked in bulk for speed.
    separators = [" ", "\n", "\n    ", "\n        "]
    separator_weights = [7.0, 0.6, 0.25, 0.15]
    out = bytearray()
    while len(out) < POOL_SIZE:
        picked = rng.choices(words, cum_weights=weights, k=1 << 16)
        ends = rng.choices(separators, weights=separator_weights, k=1 << 16)
        out += "".join(map(str.__add__, picked, ends)).encode()
    return bytes(out[:POOL_SIZE])


def _binary_pool(rng: random.Random) -> bytes:
    tokens = [rng.randbytes(rng.randint(1, 8)) for _ in range(2048)]
    weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(tokens))))
    out = bytearray()
    while len(out) < POOL_SIZE:
        r = rng.random()
        if r < 0.70:   # instruction-like token stream
            out += b"".join(rng.choices(tokens, cum_weights=weights, k=2048))
        elif r < 0.82:  # tables of small little-endian integers (relocations, symbol tables)
            table = bytearray(4096)
            low = rng.randbytes(2048)
            table[0::4], table[1::4] = low[0::2], low[1::2]
            out += table
        elif r < 0.92:  # padding between sections
            out += bytes(rng.choice((64, 512, 4096)))
        else:           # packed data, hashes, already-compressed resources
            out += rng.randbytes(rng.randint(256, 8192))
    return bytes(out[:POOL_SIZE])


class Content:
    """The pools for one seed, and seeded slices of them."""

    def __init__(self, seed: int):
        self._pools = {
            TEXT: _text_pool(random.Random(f"{seed}/text")),
            BINARY: _binary_pool(random.Random(f"{seed}/binary")),
            RANDOM: random.Random(f"{seed}/random").randbytes(POOL_SIZE),
        }

    def chunks(self, rng: random.Random, kind: str, size: int, chunk: int = 1 << 20):
        """Yields `size` bytes of `kind` as pieces of at most `chunk` bytes.

        RANDOM data bigger than the pool is drawn fresh from `rng`, so a 1 GiB incompressible
        file has no repeats for a long-range matcher to find.
        """
        pool = self._pools[kind]
        while size > 0:
            n = min(size, chunk)
            if kind == RANDOM and n > 64 << 10:
                yield rng.randbytes(n)
            else:
                start = rng.randrange(POOL_SIZE - n + 1)
                yield pool[start:start + n]
            size -= n

    def data(self, rng: random.Random, kind: str, size: int) -> bytes:
        return b"".join(self.chunks(rng, kind, size))
