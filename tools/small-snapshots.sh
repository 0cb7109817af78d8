#!/usr/bin/env bash
# Makes N small snapshots over one shared lower, and the job file that exports them all, to time
# `paralleldiff export` per snapshot (issue 5: <= 5 ms each). Each upper is like small-on-big's: a
# modified /etc/hosts and a new /hello, a few dozen bytes, with the snapshot's number in both so
# that no two blobs are the same (equal blobs would be stored once and cost less).
#
#   tools/small-snapshots.sh DIR N [LOWER]
#     DIR    made afresh: DIR/snapshots/NNNN/upper and DIR/jobs.json
#     N      how many snapshots (1000 for the figure)
#     LOWER  the lower every snapshot sits on (default: an empty directory DIR/lower);
#            small-on-big's is $PARALLELDIFF_BENCH_CACHE/datasets/base-image-v1-s*/tree
#
# Then, for instance:
#   rm -rf DIR/layout DIR/layout.journal.jsonl
#   /usr/bin/time -f '%e s wall, %U s user, %S s sys' \
#     artifacts/cli/paralleldiff export --jobs DIR/jobs.json --oci-layout DIR/layout --compression zstd --quiet
set -euo pipefail

dir=${1:?usage: tools/small-snapshots.sh DIR N [LOWER]}
count=${2:?usage: tools/small-snapshots.sh DIR N [LOWER]}
lower=${3:-$dir/lower}

rm -rf "$dir/snapshots" "$dir/jobs.json"
mkdir -p "$dir/snapshots" "$lower"
lower=$(cd "$lower" && pwd)

{
  printf '['
  for ((i = 0; i < count; i++)); do
    id=$(printf '%04d' "$i")
    upper="$dir/snapshots/$id/upper"
    mkdir -p "$upper/etc"
    printf '127.0.0.1 localhost\n# snapshot %s\n' "$id" >"$upper/etc/hosts"
    printf 'hello %s\n' "$id" >"$upper/hello"
    # Fixed times: the same script makes the same layers.
    touch -h -d @1700000000 "$upper/etc/hosts" "$upper/hello" "$upper/etc" "$upper"
    ((i > 0)) && printf ','
    printf '\n {"id": "snap-%s", "upper": "snapshots/%s/upper", "lower": "%s"}' "$id" "$id" "$lower"
  done
  printf '\n]\n'
} >"$dir/jobs.json"
echo "$count snapshots over $lower; jobs in $dir/jobs.json" >&2
