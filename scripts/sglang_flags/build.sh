#!/usr/bin/env bash
# Regenerates src/engine/sglang_flags.tsv: for each SGLang release given (default: the releases
# in the file's `releases` line), downloads the wheel from PyPI without installing it, unpacks its
# Python sources, lists `python -m sglang.launch_server`'s flags statically (extract.py, no import
# of sglang), and writes each flag with the range of releases that accept it. Needs network and
# python3; not run by CI (the table is data, reviewed like code).
#
#   scripts/sglang_flags/build.sh [VERSION...]
#   scripts/sglang_flags/build.sh $(scripts/sglang_flags/releases.py)   # the releases PyPI has now
#
# SGLANG_WHEEL_DIR=DIR keeps the wheels in DIR/VERSION/ (and reuses them) instead of a temporary
# directory. A release whose wheel cannot be had is skipped, with a message, and left out of the
# `releases` line. The wheels asked for are CPython 3.11 manylinux x86_64 ones (SGLang publishes
# platform wheels from 0.5.11, pure ones before), whatever machine this runs on, so that every run
# reads the same files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
table="$here/../../src/engine/sglang_flags.tsv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wheels="${SGLANG_WHEEL_DIR:-$work/whl}"
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  [ -f "$table" ] || { echo "no $table: name the releases (see releases.py)" >&2; exit 2; }
  read -r -a versions <<<"$(grep '^releases' "$table" | cut -f2)"
fi
read_ok=()
for v in "${versions[@]}"; do
  mkdir -p "$wheels/$v"
  if ! pip download --quiet --no-deps --only-binary :all: \
      --python-version 3.11 --platform manylinux_2_34_x86_64 \
      "sglang==$v" -d "$wheels/$v" >"$work/pip-$v.log" 2>&1; then
    echo "skip $v: no wheel ($(tail -1 "$work/pip-$v.log"))" >&2
    continue
  fi
  whl="$(ls "$wheels/$v"/sglang-"$v"-*.whl | head -1)"
  echo "$v $(stat -c %s "$whl") bytes $(basename "$whl")" >&2
  mkdir -p "$work/src-$v"
  unzip -q -o "$whl" 'sglang/*.py' -d "$work/src-$v"
  python3 "$here/extract.py" "$work/src-$v" >"$work/$v.tsv" 2>"$work/$v.err"
  sed "s/^/$v: /" "$work/$v.err" >&2
  cut -f1 "$work/$v.tsv" | sort -u >"$work/$v.txt"
  rm -rf "$work/src-$v"
  read_ok+=("$v")
done
[ ${#read_ok[@]} -gt 0 ] || { echo "no release read" >&2; exit 1; }
python3 - "$table" "$work" "${read_ok[@]}" <<'PY'
import re, sys
table, work, versions = sys.argv[1], sys.argv[2], sys.argv[3:]
key = lambda v: [int(x) for x in re.findall(r"\d+", v.replace(".post", "."))]
versions.sort(key=key)
seen = {}
for i, v in enumerate(versions):
    for flag in open(f"{work}/{v}.txt").read().split():
        seen.setdefault(flag, []).append(i)
# Spelling check over the whole table: `--a-b` and `--a_b` would be one flag to a reader.
norm = {}
for flag in seen:
    norm.setdefault(flag.replace("_", "-"), []).append(flag)
for group in norm.values():
    if len(group) > 1:
        print("one flag in several spellings: " + " ".join(sorted(group)), file=sys.stderr)
header = f"""\
# SGLang's `python -m sglang.launch_server` flags by release: each flag with the releases that
# accept it, as ranges `FIRST..LAST` (`FIRST..` = still in the newest release). Read statically
# from the released wheels (`pip download --no-deps sglang==X`, file `sglang/srt/server_args.py`,
# its `ServerArgs.add_cli_args`, and where that calls `add_cli_args_from_dataclass`
# (`sglang/srt/arg_groups/arg_utils.py`) the `ServerArgs` fields: in server_args.py up to 0.5.19,
# in `sglang/srt/arg_groups/fields/*.py` from 0.5.20); every release read is in the `releases`
# line below, {versions[0]} is the oldest. Spellings argparse registers, aliases and `--no-X`
# included; not its prefix abbreviations (`--tp` for `--tp-size`). A flag missing from some
# releases between two that have it spans from its first to its last release (the judge then
# accepts it in the gap rather than refusing it where it is real). Regenerate with
# scripts/sglang_flags/build.sh.
"""
rows, gaps = [], []
for flag in sorted(seen):
    idx = seen[flag]
    first, last = idx[0], idx[-1]
    if idx != list(range(first, last + 1)):
        runs, start = [], idx[0]
        for a, b in zip(idx, idx[1:] + [None]):
            if b != a + 1:
                runs.append(f"{versions[start]}..{versions[a]}")
                start = b
        gaps.append(f"gap: {flag} in {' '.join(runs)}; written from first to last")
    end = "" if last == len(versions) - 1 else versions[last]
    rows.append(f"{flag}\t{versions[first]}..{end}\n")
for g in gaps:
    print(g, file=sys.stderr)
with open(table, "w") as out:
    out.write(header)
    out.write("releases\t" + " ".join(versions) + "\n")
    out.writelines(rows)
print(f"{len(rows)} flags over {len(versions)} releases, {len(gaps)} with a gap -> {table}", file=sys.stderr)
PY
