"""The docs are true to the code: they point nowhere outside the repository, the settings
they name exist, and the content README describes the content tree as it is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|shared/reference|\bdesign\.md\b")


def project_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    for folder in ("portal", "guidance_content", "templates", "tests", "bench", "translations"):
        files += [
            path for path in (ROOT / folder).rglob("*")
            if path.suffix in (".md", ".py", ".yaml", ".html", ".po", ".txt")
        ]  # fmt: skip
    return files


def test_nothing_points_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in project_files()
        if path.exists() and path.name != "test_docs.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "references outside the repository:\n" + "\n".join(found)


def test_every_setting_in_the_readme_is_read_by_the_portal():
    table = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Configuration")[1]
    table = table.split("\n## ")[0]
    names = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", table, re.MULTILINE))
    names |= set(re.findall(r", `([A-Z][A-Z0-9_]+)`", table))
    code = "\n".join(path.read_text(encoding="utf-8") for path in ROOT.glob("portal/**/*.py"))
    code += ROOT.joinpath("tests", "conftest.py").read_text(encoding="utf-8")
    assert len(names) > 20
    assert not sorted(name for name in names if f'"{name}"' not in code)


def test_the_content_readme_describes_the_tree():
    content = ROOT / "guidance_content"
    readme = content.joinpath("README.md").read_text(encoding="utf-8")
    described = set(re.findall(r"^- `([^`]+?)/?`", readme, re.MULTILINE))
    present = {path.name for path in content.iterdir() if path.name != "README.md"}
    assert described == present
