#!/usr/bin/env python3
"""Prints the SGLang releases build.sh should read, from `pip index versions sglang`.

Every final release (post-releases included; no pre-releases, dev or rc) from 0.4.0 up to the
newest on PyPI. When that is more than 60, every release of the newest two minor lines (0.X)
and the last release of each older minor line.

    scripts/sglang_flags/build.sh $(scripts/sglang_flags/releases.py)
"""
import re
import subprocess
import sys

OLDEST = (0, 4, 0)
LIMIT = 60

out = subprocess.run(
    [sys.executable, "-m", "pip", "index", "versions", "sglang"],
    check=True, capture_output=True, text=True,
).stdout
line = next(l for l in out.splitlines() if l.startswith("Available versions:"))
final = re.compile(r"\d+\.\d+\.\d+(\.\d+)?(\.post\d+)?")
versions = [v.strip() for v in line.split(":", 1)[1].split(",")]
key = lambda v: [int(x) for x in re.findall(r"\d+", v.replace(".post", "."))]
picked = sorted((v for v in versions if final.fullmatch(v) and tuple(key(v)[:3]) >= OLDEST), key=key)
if len(picked) > LIMIT:
    minor = lambda v: tuple(key(v)[:2])
    lines = sorted({minor(v) for v in picked})
    newest_two = set(lines[-2:])
    picked = [v for i, v in enumerate(picked)
              if minor(v) in newest_two or i + 1 == len(picked) or minor(picked[i + 1]) != minor(v)]
print(" ".join(picked))
