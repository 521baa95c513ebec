#!/usr/bin/env bash
# benches/compare.sh [--full]: times the release binary end to end, side by side with
# `helm template` of benches/chart (the seed stack as a chart: the same six objects), in one
# run on this machine, and prints the ratios. Without helm on the PATH (or in /opt/peers/bin,
# where ../shared/tools/install-helm.sh puts it) the helm column is skipped with a message.
# 1,000 helm runs take over a minute: they are estimated from 50 unless --full is given.
# INFERSTACK_BIN=PATH times another build instead (an older one, for a before/after table).
# The floor is benches/floor.rs: a main that does nothing, linked like the binary, of its size.
# Builds answered from their record (src/output/freshness.rs) keep it in a cache directory of
# the run's own.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${INFERSTACK_BIN:-}" ]; then
  bin="$(realpath "$INFERSTACK_BIN")"
else
  cargo build --release --quiet
  bin="$PWD/target/release/inferstack"
fi
cargo build --release --quiet --example floor
floor="$PWD/target/release/examples/floor"
helm="${HELM:-$(command -v helm || true)}"
if [ -z "$helm" ] && [ -x /opt/peers/bin/helm ]; then helm=/opt/peers/bin/helm; fi
full=false; [ "${1:-}" = --full ] && full=true
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export INFERSTACK_CACHE_DIR="$work/cache"

# Mean wall time in ms of N runs of a command (output discarded).
mean_ms() {
  local n="$1"; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / $n / 1000000" | bc
}
ratio() { echo "scale=1; $1 / $2" | bc; }

# 1,000 copies of the seed stack, each with its own service and volume, one shared Gateway.
mkdir -p "$work/stacks"
for i in $(seq 1000); do
  sed -e "s/^name = \"qwen\"/name = \"qwen-$i\"/" -e "s/^\[model\]$/[model]\nvolume = \"weights-$i\"/" \
    stacks/qwen.toml > "$work/stacks/qwen-$i.toml"
done
"$bin" build "$work/stacks" -o "$work/out" >/dev/null 2>&1
# 10,005 objects: the 13 kinds of the gateway-api golden stream, renamed per copy (service and
# volume, so the cross-object rules find nothing); 100,050 objects: ten times as many copies.
copies() {
  for i in $(seq "$1"); do
    sed -e "s/\bqwen\b/qwen-$i/g" -e "s/\bllm-model\b/llm-model-$i/g" golden/qwen.gateway-api.yaml
  done
}
copies 667 > "$work/stream.yaml"
copies 6670 > "$work/stream-100k.yaml"
objects=$(grep -c '^kind:' "$work/stream.yaml")
objects_100k=$(grep -c '^kind:' "$work/stream-100k.yaml")

start_floor=$(mean_ms 50 "$floor")
one_build=$(mean_ms 50 "$bin" build stacks/qwen.toml -o -)
one_check=$(mean_ms 50 "$bin" check stacks/qwen.toml)
fleet_unchanged=$(mean_ms 5 "$bin" build "$work/stacks" -o "$work/out")
fleet_compiled=$(INFERSTACK_CACHE_DIR= mean_ms 5 "$bin" build "$work/stacks" -o "$work/out")
fleet_stream=$(mean_ms 5 "$bin" build "$work/stacks" -o -)
validate=$(mean_ms 3 "$bin" validate "$work/stream.yaml" --no-cross)
validate_cross=$(mean_ms 3 "$bin" validate "$work/stream.yaml")
validate_100k=$(mean_ms 1 "$bin" validate "$work/stream-100k.yaml" --no-cross)
peak_100k=$( { /usr/bin/time -f %M "$bin" validate "$work/stream-100k.yaml" --no-cross >/dev/null; } 2>&1 | tail -1)
peak_100k_cross=$( { /usr/bin/time -f %M "$bin" validate "$work/stream-100k.yaml" >/dev/null; } 2>&1 | tail -1)
peak=$( { INFERSTACK_CACHE_DIR= /usr/bin/time -f %M "$bin" build "$work/stacks" -o "$work/out" >/dev/null; } 2>&1 | tail -1)

printf '%-52s %12s %14s %8s\n' work inferstack "helm template" ratio
if [ -n "$helm" ]; then
  # The comparison is only fair while the chart renders what the stack compiles to.
  "$helm" template qwen benches/chart | grep -v '^# Source:' > "$work/helm.yaml"
  "$bin" build stacks/qwen.toml -o - > "$work/inferstack.yaml"
  same=$(python3 -c 'import sys
docs = lambda p: sorted(d.strip() for d in open(p).read().split("\n---\n") if d.strip() not in ("", "---"))
print(docs(sys.argv[1]) == docs(sys.argv[2]))' "$work/helm.yaml" "$work/inferstack.yaml")
  [ "$same" = True ] || { echo "benches/chart no longer renders what stacks/qwen.toml compiles to" >&2; exit 1; }
  helm_one=$(mean_ms 50 "$helm" template qwen benches/chart)
  if $full; then
    start=$(date +%s%N)
    for i in $(seq 1000); do "$helm" template "qwen-$i" benches/chart --set service.name="qwen-$i" >/dev/null; done
    helm_fleet=$(echo "scale=0; ($(date +%s%N) - $start) / 1000000" | bc); how=measured
  else
    helm_fleet=$(echo "scale=0; $helm_one * 1000 / 1" | bc); how="50 x 20"
  fi
  printf '%-52s %9s ms %11s ms %7sx\n' "one stack, build -o -" "$one_build" "$helm_one" "$(ratio "$helm_one" "$one_build")"
  printf '%-52s %9s ms %11s ms %7sx\n' "one stack, check" "$one_check" "$helm_one" "$(ratio "$helm_one" "$one_check")"
  printf '%-52s %9s ms %11s ms %7sx\n' "1,000 stacks, build -o DIR, nothing changed" "$fleet_unchanged" "$helm_fleet ($how)" "$(ratio "$helm_fleet" "$fleet_unchanged")"
else
  echo "helm not found: run ../shared/tools/install-helm.sh for the helm column" >&2
  printf '%-52s %9s ms\n' "one stack, build -o -" "$one_build" "one stack, check" "$one_check" \
    "1,000 stacks, build -o DIR, nothing changed" "$fleet_unchanged"
fi
printf '%-52s %9s ms\n' "1,000 stacks, build -o DIR, nothing changed, no record" "$fleet_compiled"
printf '%-52s %9s ms\n' "1,000 stacks, build -o -" "$fleet_stream"
per_s() { echo "scale=0; $1 * 1000 / $2" | bc; }
printf '%-52s %9s ms  (%s objects/s)\n' "validate $objects objects, parse + schema + CEL" "$validate" \
  "$(per_s "$objects" "$validate")"
printf '%-52s %9s ms  (%s objects/s)\n' "the same with the cross-object rules (the default)" \
  "$validate_cross" "$(per_s "$objects" "$validate_cross")"
printf '%-52s %9s ms  (%s objects/s)\n' "validate $objects_100k objects, --no-cross" "$validate_100k" \
  "$(per_s "$objects_100k" "$validate_100k")"
printf '%-52s %9s MB\n' "peak memory, 1,000 stacks build -o DIR" "$((peak / 1024))"
printf '%-52s %9s MB\n' "peak memory, validate $objects_100k objects, --no-cross" "$((peak_100k / 1024))"
printf '%-52s %9s MB\n' "peak memory, the same with the cross-object rules" "$((peak_100k_cross / 1024))"
printf '%-52s %9s ms\n' "floor: start and exit, same size (benches/floor.rs)" "$start_floor"
