"""Copies the latest benchmark figures (bench/results.md, bench/profiles/) into the README's
Performance section, between its markers. Run after bench/run.py and bench/profile_under_load.py."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP = 10


def _between(text: str, name: str, content: str) -> str:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {start} ... {end}")
    return pattern.sub(lambda _: f"{start}\n{content.strip()}\n{end}", text)


def _profile(label: str) -> str:
    lines = (ROOT / "bench" / "profiles" / f"{label}.txt").read_text().splitlines()
    own = lines[3 : 3 + TOP]
    return "\n".join([lines[0], "", "Own time (top entries):", *own])


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    text = _between(text, "results", (ROOT / "bench" / "results.md").read_text())
    profiles = f"```\n{_profile('before')}\n\n{_profile('after')}\n```"
    text = _between(text, "profiles", profiles)
    readme.write_text(text)


if __name__ == "__main__":
    main()
