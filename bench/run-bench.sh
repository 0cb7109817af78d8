#!/usr/bin/env bash
# ./run.sh bench [--dataset NAME|PATH]... [--runs N] [--json] [--parallelism N] [--tools LIST] [--generate-only]
#                 [--count N] [--profile] [--compare REV]
#                 (NAME: a dataset, or an export scenario: export-small, export-many-small, export-small-cluster)
# Installs what the peers need (idempotent), then runs the harness in bench/pdbench (Python 3
# stdlib only). run.sh has built the CLI into artifacts/cli before calling this. See BENCHMARKS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '%s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "bench: missing ${missing[*]} and not root to install them"; exit 1
  fi
  log "bench: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Peers (zstd, pigz, lz4, GNU tar; openssl for the layer peers' SHA-256 digests), sync from
# coreutils, the generator's python3, mount for overlayfs.
apt_install zstd pigz lz4 tar openssl coreutils python3 mount
# --profile records our CLI with perf (Debian's linux-perf); only then is it needed.
for arg in "$@"; do [[ $arg == --profile ]] && apt_install linux-perf; [[ $arg == *push* || $arg == *cluster* ]] && apt_install docker-registry skopeo; done

export PYTHONPATH="$ROOT/bench${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -m pdbench "$@"
