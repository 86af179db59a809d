"""The portal's layering, read from the imports themselves (README.md, "Layout").

- The audiences' packages (owner/, backoffice/, public/, api/) never import one another:
  what two of them share lives in a core module at the top of portal/ (the clock, phone
  numbers, safe redirects, evaluation, suggestions...) or in a shared package: rules/,
  models/, forms/, letters/, campaigns/, imports/, jobs/, experiments/.
- A core module imports no audience's package (only the factory, portal/__init__.py, and
  the command line, portal/cli.py, assemble them).
- No import cycle between modules (packages' __init__ left aside: a blueprint's views
  import the blueprint from it by design).

Every `import x` and `from x import y` is read, relative ones too, at any depth (inside a
function as well as at the top): a function-level import is still a dependency.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"

AUDIENCES = ("portal.owner", "portal.backoffice", "portal.public", "portal.api")
# portal.campaigns: building and sending campaigns, without Flask (the back-office, the CLI
# and the jobs call it).
# portal.jobs and portal.imports: background work and the import, without Flask views
# (the back-office submits and follows jobs; the CLI runs them).
# portal.experiments: assignment, exposure, wordings and analysis, without Flask views (the
# back-office, the owner's pages and /stats call it).
SHARED_PACKAGES = ("portal.rules", "portal.models", "portal.forms", "portal.letters",
                   "portal.campaigns", "portal.jobs", "portal.imports",
                   "portal.experiments")  # fmt: skip
ASSEMBLERS = ("portal", "portal.cli")  # create_app and the `portal` command


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, "portal.backoffice.exports"
    path: Path
    line: int
    target: str  # the module imported, "portal.owner.callback"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module} imports {self.target}"


def module_names(root: Path) -> dict[str, Path]:
    """Every module under `root` (the portal package), by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str], shown: Path) -> list[Import]:
    """What module `name` (file `path`) imports, each a known module when it can be told:
    `from portal import clock` imports portal.clock, `from portal.models import Agent`
    imports portal.models. `shown` is the path the messages give."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t for t in submodules if t in known] or [base]
        else:
            continue
        found += [Import(name, shown, node.lineno, target) for target in targets]
    return found


def all_imports(root: Path) -> list[Import]:
    names = module_names(root)
    known = set(names)
    return [
        i
        for name, path in names.items()
        for i in imports_of(name, path, known, path.relative_to(root.parent))
    ]


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def owning_audience(name: str) -> str | None:
    return next((a for a in AUDIENCES if within(name, a)), None)


def crossings(imports: list[Import]) -> list[str]:
    """Imports that cross between audiences, or from a core module into an audience."""
    problems = []
    for i in imports:
        if not within(i.target, "portal"):
            continue
        source, target = owning_audience(i.module), owning_audience(i.target)
        if target is None or target == source:
            continue
        if source is not None:
            problems.append(f"{i} ({source} must not import {target}: move what they share "
                            "to a core module)")  # fmt: skip
        elif i.module not in ASSEMBLERS and not within(i.module, "portal.commands"):
            problems.append(f"{i} (a core module must not import an audience's package)")
    return problems


def foreign_packages(imports: list[Import], names: set[str]) -> list[str]:
    """Audience packages importing a portal package that is neither shared nor their own
    (the command line, the migrations)."""
    problems = []
    for i in imports:
        source = owning_audience(i.module)
        if source is None or not within(i.target, "portal") or within(i.target, source):
            continue
        top = ".".join(i.target.split(".")[:2])
        is_core_module = top in names and names[top].name != "__init__.py"
        if i.target == "portal" or is_core_module or top in SHARED_PACKAGES + AUDIENCES:
            continue
        problems.append(f"{i} ({source} may import core modules and {', '.join(SHARED_PACKAGES)})")
    return problems


def cycles(imports: list[Import], names: dict[str, Path]) -> list[list[Import]]:
    """Import cycles between modules (packages' __init__ left aside), each as its edges."""
    modules = {n for n, p in names.items() if p.name != "__init__.py"}
    edges: dict[str, dict[str, Import]] = {m: {} for m in modules}
    for i in imports:
        if i.module in modules and i.target in modules and i.target != i.module:
            edges[i.module].setdefault(i.target, i)
    found, seen_sets = [], set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                loop = [*path[path.index(target) :], target]
                key = frozenset(loop)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append([edges[a][b] for a, b in itertools.pairwise(loop)])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module)
    return found


def describe(cycle: list[Import]) -> str:
    return (
        " -> ".join(i.module for i in cycle)
        + f" -> {cycle[0].module}\n"
        + "\n".join(f"    {i}" for i in cycle)
    )


@pytest.fixture(scope="module")
def portal_imports():
    return all_imports(PORTAL)


def test_audiences_never_import_one_another(portal_imports):
    problems = crossings(portal_imports)
    assert not problems, "Imports crossing between audiences:\n" + "\n".join(problems)


def test_audiences_import_only_core_modules_and_shared_packages(portal_imports):
    problems = foreign_packages(portal_imports, module_names(PORTAL))
    assert not problems, "Imports of packages an audience may not use:\n" + "\n".join(problems)


def test_no_import_cycle_between_modules(portal_imports):
    found = cycles(portal_imports, module_names(PORTAL))
    assert not found, "Import cycles:\n" + "\n".join(describe(c) for c in found)


# The checks themselves, on a miniature portal: they must see what they are there to see.


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "portal" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "portal"


def test_the_checks_see_crossings_at_any_depth_and_relative(tmp_path):
    root = write(tmp_path, {
        "__init__.py": "", "clock.py": "",
        "owner/__init__.py": "", "owner/callback.py": "",
        "public/__init__.py": "", "public/views.py": "",
        "backoffice/__init__.py": "",
        "backoffice/exports.py": "from portal import clock\n"
                                 "def f():\n    from portal.owner.callback import x\n",
        "backoffice/views.py": "from ..public import views\n",
        "owner/views.py": "import portal.backoffice.exports\n",
        "outbox.py": "from portal.owner import callback\n",
    })  # fmt: skip
    problems = crossings(all_imports(root))
    assert [p.split(" (")[0].split(": ", 1)[1] for p in problems] == [
        "portal.backoffice.exports imports portal.owner.callback",
        "portal.backoffice.views imports portal.public.views",
        "portal.outbox imports portal.owner.callback",
        "portal.owner.views imports portal.backoffice.exports",
    ]
    assert problems[0].startswith("portal/backoffice/exports.py:3: ")


def test_the_checks_see_a_cycle_through_a_function_level_import(tmp_path):
    root = write(tmp_path, {
        "__init__.py": "",
        "ratelimit.py": "def init():\n    from portal.lookup_alert import init_lookup_alert\n",
        "lookup_alert.py": "from portal import ratelimit\n",
        "outbox.py": "from portal import ratelimit\n",
    })  # fmt: skip
    found = cycles(all_imports(root), module_names(root))
    assert [describe(c).splitlines()[0] for c in found] == [
        "portal.lookup_alert -> portal.ratelimit -> portal.lookup_alert"
    ]
