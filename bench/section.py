"""Replace (or add) one '## Heading' section of bench/RESULTS.md.

usage: python3 bench/section.py RESULTS.md "## Heading" SECTION_TEXT
"""
import re
import sys

path, heading, section = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n" + re.escape(heading) + r"\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section.strip("\n") + "\n")
