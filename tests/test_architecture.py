"""The layers of `outreach` and `accounts`, and the one direction imports may point between them.

Each layer has one job, so each coming feature has one obvious home: a word or a unit goes in the
vocabulary, a judgement about figures in the rules, a query in the selectors, a write in the services, a page
in a surface. Imports point down only, to a lower rank, so any layer can be read, and tested, without the ones
above it: the rules without the database, the selectors without a request, a view without the admin.

The check reads each module's source with `ast` and imports nothing. An import inside a function still
counts (a deferred import is still an arrow); one under `if TYPE_CHECKING:` does not (it is types only).
"""

import ast
from collections import deque
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "architecture"
WIRING = 8  # the rank of the wiring: above every layer
NOBODY = WIRING + 1  # an `imported_from` no rank reaches


class Layer(NamedTuple):
    name: str
    rank: int
    imported_from: int  # the lowest rank that may import it; its own modules may always import each other
    modules: tuple[str, ...]  # a name covers that module or package; `x.__init__` covers package x's own file


# fmt: off
LAYERS = (  # Layer(name, rank, the lowest rank that may import it, modules), the bottom layer first
    Layer("vocabulary", 0, 1, ("outreach.metrics", "outreach.months", "outreach.numbers", "outreach.language",
                               "outreach.history", "outreach.environment", "outreach.organisation")),
    Layer("rules", 1, 1, ("outreach.rules", "outreach.monthly_totals", "outreach.coverage", "outreach.progress",
                          "outreach.forecast")),
    # Pure: beside the rules (whose 1 lets them in), using only them and the vocabulary; not each other, not the
    # models, and imported only from the selectors up.
    Layer("display (pure)", 1, 3, ("outreach.display",)),
    Layer("files (pure)", 1, 3, ("outreach.files",)),
    Layer("imports (pure)", 1, 3, ("outreach.imports",)),
    Layer("models", 2, 3, ("outreach.models", "outreach.fields", "outreach.seed", "accounts.models",
                           "accounts.roles")),
    Layer("selectors", 3, 4, ("outreach.selectors",)),
    Layer("services", 4, 5, ("outreach.services",)),
    Layer("printing", 4, 5, ("outreach.printing",)),
    Layer("forms", 5, 6, ("outreach.forms", "outreach.filters", "accounts.forms")),
    # Pages of figures built without a request (the dashboard's figures, the reports, their e-mail): for the
    # views and the scheduled command alike.
    Layer("reports", 6, 7, ("outreach.reports",)),
    # Surfaces: anything below, never one another; only the wiring imports them.
    Layer("views (surface)", 7, WIRING, ("outreach.views",)),
    Layer("admin (surface)", 7, WIRING, ("outreach.admin",)),
    Layer("commands (surface)", 7, WIRING, ("outreach.management",)),
    Layer("templatetags (surface)", 7, WIRING, ("outreach.templatetags",)),
    Layer("context processors (surface)", 7, WIRING, ("outreach.context_processors",)),
    Layer("accounts views (surface)", 7, WIRING, ("accounts.views",)),
    Layer("accounts admin (surface)", 7, WIRING, ("accounts.admin",)),
    Layer("accounts commands (surface)", 7, WIRING, ("accounts.management",)),
    # Wiring: may import anything; only Django imports it. Left out of the cycle check.
    Layer("wiring", WIRING, NOBODY, ("outreach.__init__", "accounts.__init__", "outreach.urls",
                                     "outreach.settings", "outreach.middleware", "outreach.compression",
                                     "outreach.request_log", "outreach.log_format", "outreach.gunicorn_log",
                                     "outreach.wsgi", "outreach.asgi",
                                     "outreach.apps", "outreach.migrations", "accounts.apps", "accounts.urls",
                                     "accounts.migrations", "accounts.backends")),
)
# fmt: on
# The one arrow between pure packages: an import reads back the columns an export writes (`files.columns`,
# and `csv_writer.restore`, which undoes what the writer did to a formula-like cell).
ALSO_ALLOWED = {("imports (pure)", "files (pure)")}


def layer_of(module: str) -> Layer | None:
    """The layer whose most specific entry covers `module`."""
    best, best_length = None, -1
    for layer in LAYERS:
        for entry in layer.modules:
            if entry.endswith(".__init__"):
                covers = module == entry.removesuffix(".__init__")
            else:
                covers = module == entry or module.startswith(entry + ".")
            if covers and len(entry) > best_length:
                best, best_length = layer, len(entry)
    return best


def modules_under(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, path: Path, exists) -> list[tuple[int, str]]:
    """(line, absolute module) for each import in the file, skipping `if TYPE_CHECKING:` blocks."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            children = node.orelse
        else:
            children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:  # `from a import b`: the submodule a.b if there is one, else a
                found.append((node.lineno, f"{base}.{alias.name}" if exists(f"{base}.{alias.name}") else base))
        for child in children:
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return sorted(set(found))


def find_cycle(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """The shortest path of imports from `start` back to itself, if any."""
    came_from, queue = {}, deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph.get(node, ())):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    return None


def wrong_arrows(root: Path, packages: tuple[str, ...]) -> list[str]:
    """Every module without a layer, every import against the layer order, and every import cycle."""
    modules = modules_under(root, packages)
    problems, graph = [], {}
    for module, path in modules.items():
        layer = layer_of(module)
        if layer is None:
            problems.append(f"{module} has no layer: add it to LAYERS")
            continue
        for line, target in imports_of(module, path, modules.__contains__):
            target_layer = layer_of(target)
            if target.partition(".")[0] not in packages or target_layer is None:
                continue  # outside the packages, or a module that is reported as having no layer
            if layer.name != "wiring" and target_layer.name != "wiring":
                graph.setdefault(module, set()).add(target)
            allowed = target_layer == layer or (layer.name, target_layer.name) in ALSO_ALLOWED
            if not allowed and layer.rank < target_layer.imported_from:
                where = path.relative_to(root).as_posix()
                problems.append(f"{where}:{line} imports {target}: {layer.name} may not import {target_layer.name}")
    cycles = {}
    for module in sorted(graph):
        cycle = find_cycle(graph, module)
        if cycle:
            cycles.setdefault(frozenset(cycle), cycle)
    problems.extend("import cycle: " + " -> ".join(cycle) for cycle in cycles.values())
    return problems


def test_the_project_has_no_wrong_arrow():
    problems = wrong_arrows(REPO, ("outreach", "accounts"))
    assert not problems, "\n".join(problems)


PLANTED = [
    "outreach.gadgets has no layer: add it to LAYERS",
    "outreach/display/cards.py:7 imports outreach.files.csv_writer: display (pure) may not import files (pure)",
    "outreach/display/cards.py:8 imports outreach.selectors.dashboard: display (pure) may not import selectors",
    "outreach/models.py:7 imports outreach.display.cards: models may not import display (pure)",
    "outreach/models.py:8 imports outreach.selectors.dashboard: models may not import selectors",
    "outreach/views.py:4 imports outreach.admin.site: views (surface) may not import admin (surface)",
    "outreach/management/commands/tidy.py:3 imports outreach.views: commands (surface) may not import views (surface)",
    "outreach/forms.py:3 imports outreach.urls: forms may not import wiring",
    "import cycle: outreach.services.snapshots -> outreach.services.totals -> outreach.services.snapshots",
]


@pytest.fixture(scope="module")
def planted_problems() -> list[str]:
    return wrong_arrows(FIXTURE, ("outreach",))


@pytest.mark.parametrize("problem", PLANTED)
def test_a_planted_wrong_arrow_is_reported(planted_problems, problem):
    assert problem in planted_problems


def test_only_the_planted_arrows_are_reported(planted_problems):
    """The allowed arrows in the fixture (down the table, within a layer or surface) pass, as does the
    import under `if TYPE_CHECKING:` in outreach/display/cards.py that would otherwise be wrong."""
    assert sorted(planted_problems) == sorted(PLANTED)
    assert not [problem for problem in planted_problems if "cards.py:11 " in problem]
