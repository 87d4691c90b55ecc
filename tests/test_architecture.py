"""The house: dependency arrows point one way, imports are at the top of modules (but for the entry
points), no module reaches into another's private names, and every module says what it does.

``lint-imports`` (import-linter, contracts in pyproject.toml) checks the layers on every import,
including one written inside a function; the rest is read from the code's syntax trees.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "pipeline"
MODULES = sorted(PACKAGE.rglob("*.py"))
# Only the entry points may defer imports (to keep --help and identical re-runs fast).
MAY_DEFER_IMPORTS = {"__init__.py", "__main__.py", "cli.py", "api.py"}


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_layers_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache", "--no-logo"], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _function_level_imports(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines += [n.lineno for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
    return lines


def test_imports_are_at_the_top_of_modules_but_in_the_entry_points():
    found = {}
    for path in MODULES:
        if path.name in MAY_DEFER_IMPORTS and path.parent == PACKAGE:
            continue
        lines = _function_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[_name(path)] = lines
    assert not found, f"imports inside functions: {found}"


def _private_uses(path: Path, tree: ast.Module) -> list[str]:
    """``from pipeline.x import _y`` and ``x._y`` where ``x`` is one of the package's modules."""
    uses, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("pipeline")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    uses.append(f"line {node.lineno}: imports {alias.name}")
                modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            uses.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return uses


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_reaches_into_another_modules_private_names(path):
    assert not _private_uses(path, ast.parse(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_opens_with_a_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and len(docstring) > 40, f"{_name(path)} does not say what it does"


def test_every_folder_of_the_package_says_what_lives_there():
    folders = [p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert {p.name for p in folders} == {"stages", "nlp", "resources", "outputs", "tools", "sources"}
    for folder in folders:
        assert (folder / "__init__.py").is_file(), folder


def test_help_imports_none_of_the_heavy_libraries():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", "run", "--help"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"spacy", "dateparser", "xlsxwriter", "selectolax", "fastjsonschema", "pandas", "httpx",
                           "warcio", "protego", "pypdf"}, imported
