"""The layout, read from the imports: wings that import downwards only, no circle, notebooks on the public API."""
from __future__ import annotations

import ast
import json

from zhengyan.core import paths

#: The wings, lowest first; a module may import its own wing and those below it.
RANK = {"core": 0, "ingest": 1, "analyses": 2, "present": 3}
TOP = 4  # api, export, __main__ and the package's __init__


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(paths.PACKAGE.rglob("*.py")):
        parts = path.relative_to(paths.PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """The package's modules that ``tree`` imports, at its top or inside a function."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zhengyan":
            assert node.level == 0
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "zhengyan")
    return out


def _rank(module: str) -> int:
    parts = module.split(".")
    return RANK.get(parts[1], TOP) if len(parts) > 1 else TOP


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    names = set(modules)
    return {name: _imports(tree, names) - {name} for name, tree in modules.items()}


def test_three_or_more_wings_each_saying_what_lives_there():
    wings = [p for p in paths.PACKAGE.iterdir() if (p / "__init__.py").is_file() and p.name != "bundled"]
    assert sorted(p.name for p in wings) == sorted(RANK)
    for wing in wings:
        doc = ast.get_docstring(ast.parse((wing / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) <= 3, wing


def test_imports_run_downwards_only():
    upwards = [(m, i) for m, imported in _graph().items() for i in imported
               if _rank(i) > _rank(m) or (i == "zhengyan" and m != "zhengyan")]
    assert upwards == []


def test_no_module_imports_itself_through_a_circle():
    graph = _graph()
    circles = []

    def visit(node, stack, on_stack, done):
        on_stack.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_stack:
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in done:
                visit(nxt, stack, on_stack, done)
        stack.pop()
        on_stack.discard(node)
        done.add(node)

    done: set = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [], set(), done)
    # the package's __init__ names the public API, so every module "imports" it: leave it out of circles
    assert [c for c in circles if "zhengyan" not in c] == []


def test_the_corpus_data_class_knows_none_of_its_questions():
    assert not {i for i in _graph()["zhengyan.ingest.corpus"] if _rank(i) > RANK["ingest"]}


def test_notebooks_import_only_the_public_api():
    import zhengyan

    for notebook in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in (c for c in cells if c["cell_type"] == "code"):
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "zhengyan":
                    assert node.module == "zhengyan", (notebook.name, node.module)
                    missing = [a.name for a in node.names if a.name not in zhengyan.__all__]
                    assert missing == [], (notebook.name, missing)
                elif isinstance(node, ast.Import):
                    assert all(a.name == "zhengyan" or not a.name.startswith("zhengyan") for a in node.names)
