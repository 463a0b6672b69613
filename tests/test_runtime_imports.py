"""Run-time code never imports the tests: `seed_demo` and the site work without them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("convivio", "cultivation", "opportunities")


def _runtime_modules():
    for package in RUNTIME_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _imported_names(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _imports_tests(path):
    return any(name == "tests" or name.startswith("tests.") for name in _imported_names(path))


def test_no_runtime_module_imports_the_tests():
    offenders = [str(path.relative_to(ROOT)) for path in _runtime_modules() if _imports_tests(path)]
    assert offenders == []


def test_the_check_sees_an_import_of_the_tests(tmp_path):
    for line in ("from tests import factories", "import tests.factories", "from tests.x import y"):
        module = tmp_path / "module.py"
        module.write_text(line + "\n", encoding="utf-8")
        assert _imports_tests(module), line
    module.write_text("from cultivation import factories\nimport contests\n", encoding="utf-8")
    assert not _imports_tests(module)


def test_the_check_reads_every_runtime_package():
    seen = {path.relative_to(ROOT).parts[0] for path in _runtime_modules()}
    assert seen == set(RUNTIME_PACKAGES)
    assert ROOT / "opportunities" / "demo.py" in set(_runtime_modules())
