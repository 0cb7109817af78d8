#!/usr/bin/env bash
# ParallelDiff launcher.
#   ./run.sh                 build (Release, once) and export a built-in sample snapshot
#   ./run.sh test            install what the tests need (idempotent) and run every test
#   ./run.sh bench [...]     the benchmarks (see BENCHMARKS.md)
#   ./run.sh bench-cache [...]  the content cache's scenarios (issue 15; BENCHMARKS.md)
#   ./run.sh pack            the library's NuGet packages (.nupkg, .snupkg) into artifacts/packages/
#   ./run.sh COMMAND ...     any CLI command (diff, apply, ...), without rebuilding when nothing changed
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$ROOT/artifacts/cli"
STAMP="$OUT/.build-stamp"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '%s\n' "$*" >&2; }

# Newer sources than the last build? (find exits early on the first newer file)
needs_build() {
  [[ -x "$OUT/paralleldiff" && -f "$STAMP" ]] || return 0
  [[ -n "$(find "$ROOT/src" "$ROOT/hocon" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" \
      \( -name '*.cs' -o -name '*.c' -o -name '*.csproj' -o -name '*.conf' -o -name '*.props' -o -name '*.json' \) \
      -newer "$STAMP" -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]]
}

build() {
  if needs_build; then
    # NativeAOT links with clang (the SDK takes gcc when clang is missing).
    apt_install clang
    log "building ParallelDiff (Release, NativeAOT; about 5 minutes the first time) into $OUT ..."
    # paralleldiff (the front, quick to start) and paralleldiff-engine (Akka kept whole), side by side.
    local project
    for project in Cli Engine; do
      dotnet publish "$ROOT/src/$project/ParallelDiff.$project.csproj" -c Release -r linux-x64 -o "$OUT" -v quiet -nologo >&2
    done
    touch "$STAMP"
  fi
}

apt_install() {
  # Installs only what is missing; safe to run again.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then log "not root: cannot apt-get install ${missing[*]}; tests that need them will fail"; return 0; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

sample() {
  local dir; dir="$(mktemp -d -t paralleldiff-sample.XXXXXX)"
  mkdir -p "$dir/lower/etc" "$dir/lower/usr/share/doc/old" "$dir/upper/etc"
  printf '127.0.0.1 localhost\n' >"$dir/lower/etc/hosts"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/lower/etc/passwd"
  printf 'old docs\n' >"$dir/lower/usr/share/doc/old/README"
  touch -d @1600000000 "$dir/lower/etc/hosts" "$dir/lower/etc/passwd" "$dir/lower/etc" "$dir/lower/usr/share/doc/old/README"
  # The upper: what `RUN echo hello > /hello && echo ::1 localhost >> /etc/hosts && rm -rf /usr/share/doc/old` leaves.
  printf 'hello\n' >"$dir/upper/hello"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$dir/upper/etc/hosts"
  if [[ $(id -u) -eq 0 ]]; then
    mkdir -p "$dir/upper/usr/share/doc"
    mknod "$dir/upper/usr/share/doc/old" c 0 0   # an overlayfs whiteout
  fi
  log "sample snapshot: --upper $dir/upper --lower $dir/lower"
  "$OUT/paralleldiff" diff --upper "$dir/upper" --lower "$dir/lower" --compression gzip -o "$dir/layer.tar.gz"
  log "layer written to $dir/layer.tar.gz:"
  tar -tvzf "$dir/layer.tar.gz" >&2
}

run_tests() {
  apt_install zstd lz4 gzip pigz attr libcap2-bin tar python3 skopeo umoci containerd strace docker-registry apache2-utils busybox-static \
    golang-go golang-github-containers-storage-dev golang-github-containerd-stargz-snapshotter-dev golang-github-ulikunitz-xz-dev
  cd "$ROOT"
  # The CLI tests run the published native binary: what ships is what is tested.
  build
  local log_file; log_file="$(mktemp -t paralleldiff-test.XXXXXX)"
  set +e
  # One test assembly at a time (-m:1): run side by side, the CLI tests' exports took both cores
  # while the actor tests that assert a deadline ran (they run alone within their assembly only),
  # and a walk cancelled on a starved machine missed its second.
  PARALLELDIFF_CLI="$OUT/paralleldiff" dotnet test "$ROOT/ParallelDiff.sln" -c Release -m:1 --logger "console;verbosity=minimal" 2>&1 | tee "$log_file"
  local status=${PIPESTATUS[0]}
  set -e
  # One closing line for every test assembly together: "N passed, N failed, N skipped".
  awk '/(Passed|Failed)!  *-/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; if (p == 0) exit 1 }' "$log_file" || status=1
  rm -f "$log_file"
  return "$status"
}

# Every src project that is packable (the executables say IsPackable false), packed as CI would
# (ContinuousIntegrationBuild: deterministic, source paths mapped). Built under artifacts/pack/,
# so the Release build in src/*/bin and obj, which the tests use, is left as it was.
# PACK_OUTPUT overrides the folder (the package test packs into a temp folder).
pack() {
  local out="${PACK_OUTPUT:-$ROOT/artifacts/packages}" project packable stamp
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  stamp="$(mktemp -t paralleldiff-pack.XXXXXX)"
  for project in "$ROOT"/src/*/*.csproj; do
    packable="$(dotnet msbuild "$project" -getProperty:IsPackable -p:Configuration=Release -nologo)"
    [[ "$packable" == "false" ]] && continue
    log "packing $(basename "$project" .csproj) ..."
    dotnet pack "$project" -c Release -o "$out" -v quiet -nologo \
      -p:ContinuousIntegrationBuild=true -p:UseArtifactsOutput=true -p:ArtifactsPath="$ROOT/artifacts/pack" >&2
  done
  # What this run wrote, not what an earlier version left there.
  log "packages written to $out:"
  find "$out" -maxdepth 1 -newer "$stamp" \( -name '*.nupkg' -o -name '*.snupkg' \) -printf '  %f\n' | sort >&2
  rm -f "$stamp"
}

case "${1:-}" in
  test) shift; run_tests "$@" ;;
  bench) shift; build; exec "$ROOT/bench/run-bench.sh" "$@" ;;
  bench-cache) shift; build; PYTHONPATH="$ROOT/bench" exec python3 -m pdbench.cache_bench "$@" ;;
  pack) pack ;;
  "") build; sample ;;
  *) build; exec "$OUT/paralleldiff" "$@" ;;
esac
