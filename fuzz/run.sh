#!/usr/bin/env bash
# Runs one fuzz target (or all) with cargo-fuzz on a nightly toolchain, seeded from the test
# inputs of the repository. A crash fails the run and leaves its input in fuzz/artifacts/;
# commit it under tests/fuzz/<target>/ so tests/it/fuzz_regressions.rs keeps it fixed.
#
#   fuzz/run.sh [TARGET|all] [-- libFuzzer options]    e.g. fuzz/run.sh all -- -max_total_time=30
set -euo pipefail
cd "$(dirname "$0")"
target="${1:-all}"
shift || true
[ "${1:-}" = "--" ] && shift

seed() {
  local corpus="corpus/$1"
  mkdir -p "$corpus"
  case "$1" in
    stack_compile)
      cp ../stacks/*.toml ../tests/stacks/*.toml "$corpus"/ 2>/dev/null || true
      # The example fleet as one input: workspace, base layer, stack (see the target's doc).
      for part in inferstack.toml base/vllm-gpu.toml llama-8b.toml; do
        sed 's#base/vllm-gpu.toml#base.toml#' "../examples/fleet/$part"
        [ "$part" = llama-8b.toml ] || printf '\n#---\n'
      done > "$corpus/fleet.toml"
      # Each rule test as a fleet: an empty workspace, the rules' base layer, the test stack.
      for stack in ../tests/rules/*/*.toml; do
        name="$(basename "$(dirname "$stack")")-$(basename "$stack")"
        { printf '\n#---\n'; cat ../tests/rules/base.toml; printf '\n#---\n'
          sed 's#"../base.toml"#"base.toml"#' "$stack"; } > "$corpus/rule-$name"
      done
      ;;
    redact)
      # Frames of stacks and manifests, and the credential shapes the stack tests hold.
      cp ../stacks/*.toml ../tests/stacks/invalid-credentials-*.toml "$corpus"/ 2>/dev/null || true
      find ../tests/manifests -name '*.yaml' -size -64k -exec cp {} "$corpus"/ \;
      ;;
    template)
      # The templates the example and test stacks hold, one per line, and the variables.
      grep -ho '"[^"]*{[{%][^"]*"' ../stacks/*.toml ../tests/stacks/*.toml 2>/dev/null \
        | tr -d '"' > "$corpus/stack-templates.txt" || true
      printf '%s\n' '{{ model.path }}' '{{ engine.port }}' '{% for i in range(3) %}{{ i }}{% endfor %}' \
        '{{ model.name | upper }}' '{{ "hf_" ~ "x" }}' > "$corpus/variables.txt"
      ;;
    diff)
      # Golden trees against themselves and against each other, split by a `#---` line.
      local previous=""
      for file in $(find ../golden -name '*.yaml' -size -32k | sort | head -200); do
        { cat "$file"; printf '\n#---\n'; cat "${previous:-$file}"; } > "$corpus/$(basename "$(dirname "$file")")-$(basename "$file")"
        previous="$file"
      done
      ;;
    cel_parsers)
      # Every rule and messageExpression of the catalog, one per input.
      python3 - "$corpus" <<'PY'
import glob, json, os, sys
def walk(v, out):
    if isinstance(v, dict):
        for r in v.get("x-kubernetes-validations") or []:
            if isinstance(r, dict):
                out.update(r[k] for k in ("rule", "messageExpression") if isinstance(r.get(k), str))
        for x in v.values(): walk(x, out)
    elif isinstance(v, list):
        for x in v: walk(x, out)
found = set()
for path in glob.glob("../schemas/catalog/**/*.jsonl", recursive=True):
    for line in open(path):
        walk(json.loads(line.partition("\t")[2]), found)
for i, rule in enumerate(sorted(found)):
    open(os.path.join(sys.argv[1], f"rule-{i:04}"), "w").write(rule)
PY
      ;;
    yaml_block)
      # The YAML inferstack and the tests hold, whole and one document per input.
      find ../golden ../tests/manifests -name '*.yaml' -size -64k -exec cp {} "$corpus"/ \;
      for file in ../golden/*.yaml; do
        awk -v out="$corpus/$(basename "$file" .yaml)-" '/^---$/ { n++ } { print > (out n) }' "$file"
      done
      ;;
    *) find ../golden ../tests/manifests -name '*.yaml' -size -64k -exec cp {} "$corpus"/ \; ;;
  esac
  if [ -d "../tests/fuzz/$1" ]; then cp "../tests/fuzz/$1"/* "$corpus"/ 2>/dev/null || true; fi
}

targets=(stack_compile yaml_reader yaml_block validate_cel redact template diff cel_parsers)
[ "$target" = all ] || targets=("$target")
for t in "${targets[@]}"; do
  seed "$t"
  cargo +nightly fuzz run --sanitizer none "$t" "corpus/$t" -- -max_len=65536 "$@"
done
