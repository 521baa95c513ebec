#!/usr/bin/env bash
# The upstream reference set the full test suite reads: every file of scripts/reference-files.tsv,
# downloaded from its repository at its pinned release tag and checked against its SHA-256.
#
#   scripts/fetch-reference.sh [DIR]          download into DIR (default: ../shared/reference)
#   scripts/fetch-reference.sh --check DIR    only check that DIR holds exactly those bytes
#
# Then run the tests with INFERSTACK_REFERENCE=DIR (not needed for the default location).
# A file whose hash differs is never kept; the script stops at the first problem.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
manifest="$here/reference-files.tsv"
check_only=false
if [ "${1:-}" = "--check" ]; then
  check_only=true
  shift
fi
dest="${1:-$here/../../shared/reference}"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

count=0
while IFS=$'\t' read -r file repo tag path sum; do
  case "$file" in '#'* | '') continue ;; esac
  target="$dest/$file"
  if $check_only; then
    if [ ! -f "$target" ]; then
      echo "missing: $target" >&2
      exit 1
    fi
  else
    mkdir -p "$(dirname "$target")"
    curl --fail --silent --show-error --location --max-time 120 \
      "https://raw.githubusercontent.com/$repo/$tag/$path" --output "$target.part"
    mv "$target.part" "$target.download"
    target="$target.download"
  fi
  actual="$(sha256 "$target")"
  if [ "$actual" != "$sum" ]; then
    echo "sha256 mismatch: $file (from $repo@$tag:$path): want $sum, got $actual" >&2
    $check_only || rm -f "$target"
    exit 1
  fi
  $check_only || mv "$target" "$dest/$file"
  count=$((count + 1))
done < "$manifest"
echo "$count files $($check_only && echo checked || echo fetched) in $dest"
