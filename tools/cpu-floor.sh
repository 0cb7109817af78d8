#!/usr/bin/env bash
# The CPU that any exporter of an upper must spend on this machine, part by part, measured with
# the standard tools on the same bytes: reading the upper into a tar (GNU tar), compressing that
# tar (zstd -3 on 2 threads), the two sha256 digests a layer needs (diffID and blob), and the fsync
# that makes the blob durable. With 2 cores, the wall time of a perfect 2-core pipeline is at least
# (sum of the CPU parts) / 2, and at least the disk time of the durable write. Issue 5 asks for
# ratios against `tar | zstd -T2 -3`; this says how far those ratios can go here.
#
#   tools/cpu-floor.sh UPPER [OUT_DIR]      (OUT_DIR: where the temporary tar and blob go, default /tmp)
set -euo pipefail

upper=${1:?usage: tools/cpu-floor.sh UPPER [OUT_DIR]}
out=${2:-/tmp}
tarfile=$out/cpu-floor.$$.tar
blob=$out/cpu-floor.$$.tar.zst
trap 'rm -f "$tarfile" "$blob"' EXIT

# Prints "<wall s> <cpu s>" of a command (its children included).
measure() {
  local t
  t=$( { /usr/bin/time -f '%e %U %S' "$@" >/dev/null; } 2>&1 | tail -1)
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' <<<"$t"
}

tar -C "$upper" -cf "$tarfile" .                    # once, so that the parts below read a hot tar
# tar alone, writing to a pipe: GNU tar skips reading file data when its archive is /dev/null.
read -r tar_wall tar_cpu < <(
  { /usr/bin/time -f '%e %U %S' -o /dev/stderr tar -C "$upper" -cf - . | cat >/dev/null; } 2>&1 | tail -1 |
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }')
read -r zst_wall zst_cpu < <(measure zstd -q -T2 -3 -f "$tarfile" -o "$blob")
read -r sha1_wall sha1_cpu < <(measure openssl dgst -sha256 "$tarfile")
read -r sha2_wall sha2_cpu < <(measure openssl dgst -sha256 "$blob")
read -r sync_wall _ < <(measure sync "$blob")         # zstd left the blob dirty in the page cache

awk -v tw="$tar_wall" -v tc="$tar_cpu" -v zc="$zst_cpu" -v zw="$zst_wall" -v s1="$sha1_cpu" -v s2="$sha2_cpu" \
    -v sy="$sync_wall" \
    -v tb="$(stat -c %s "$tarfile")" -v bb="$(stat -c %s "$blob")" 'BEGIN {
  printf "tar bytes %.1f MiB, zstd -3 blob %.1f MiB\n", tb / 1048576, bb / 1048576
  printf "  read the upper into a tar (GNU tar to a pipe)     %6.2f s cpu  (%.2f s wall)\n", tc, tw
  printf "  zstd -3 -T2 of that tar into the blob file        %6.2f s cpu  (%.2f s wall)\n", zc, zw
  printf "  sha256 of the tar (diffID; OpenSSL, as ours)      %6.2f s cpu\n", s1
  printf "  sha256 of the blob (digest; OpenSSL, as ours)     %6.2f s cpu\n", s2
  printf "  fsync of the blob after zstd wrote it             %6.2f s wall (the disk)\n", sy
  sum = tc + zc + s1 + s2
  printf "  sum of the CPU parts                              %6.2f s -> on 2 cores, no faster than %.2f s\n", sum, sum / 2
}'
