#!/usr/bin/env bash
# Regenerates src/engine/vllm_flags.tsv: for each vLLM release given (default: the releases in
# the file's `releases` line), downloads the wheel from PyPI without installing it, unpacks its
# Python sources, lists `vllm serve`'s flags statically (extract.py, no import of vllm), and
# writes each flag with the range of releases that accept it. Needs network and python3; not
# run by CI (the table is data, reviewed like code).
#
#   scripts/vllm_flags/build.sh [VERSION...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
table="$here/../../src/engine/vllm_flags.tsv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
versions=("$@")
[ ${#versions[@]} -gt 0 ] || read -r -a versions <<<"$(grep '^releases' "$table" | cut -f2)"
for v in "${versions[@]}"; do
  pip download --quiet --no-deps --no-binary :none: --only-binary :all: "vllm==$v" -d "$work/whl-$v"
  mkdir -p "$work/src-$v"
  unzip -q -o "$work"/whl-"$v"/*.whl 'vllm/*.py' -d "$work/src-$v"
  python3 "$here/extract.py" "$work/src-$v" | cut -f1 | sort -u > "$work/$v.txt"
done
python3 - "$table" "$work" "${versions[@]}" <<'PY'
import re, sys
table, work, versions = sys.argv[1], sys.argv[2], sys.argv[3:]
key = lambda v: [int(x) for x in re.findall(r"\d+", v.replace(".post", "."))]
versions.sort(key=key)
seen = {}
for i, v in enumerate(versions):
    for flag in open(f"{work}/{v}.txt").read().split():
        if flag != "model_tag":
            seen.setdefault(flag, []).append(i)
header = [l for l in open(table) if l.startswith("#")]
rows = []
for flag in sorted(seen):
    first, last = seen[flag][0], seen[flag][-1]
    assert seen[flag] == list(range(first, last + 1)), f"{flag} has a gap"
    end = "" if last == len(versions) - 1 else versions[last]
    rows.append(f"{flag}\t{versions[first]}..{end}\n")
with open(table, "w") as out:
    out.writelines(header)
    out.write("releases\t" + " ".join(versions) + "\n")
    out.writelines(rows)
PY
