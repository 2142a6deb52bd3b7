"""The layout holds: a core without Flask, no import patching, files that each say what they own."""

import ast
import subprocess
import sys

import pytest

from tests.support.data import ROOT

PACKAGES = ("recognition", "training", "webapp", "harness", "bench", "tests")
SOURCES = sorted(
    [ROOT / "train.py"]
    + [p for d in PACKAGES for p in (ROOT / d).rglob("*.py")]
    + list((ROOT / "static").rglob("*.js"))
)


def imported_modules(path):
    """Top-level names of every module a Python file imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def loaded_after(statement):
    """The top-level modules Python holds after running statement in a fresh interpreter."""
    report = "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    code = f"{statement}; import sys; {report}"
    return set(
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.split()
    )


def test_the_core_imports_no_web_framework_and_no_training_code():
    """Nor torch: serving reads and runs the model with numpy (training.model, which
    training uses, is the torch side)."""
    loaded = loaded_after(
        "import recognition.classifier, recognition.checkpoint, recognition.preprocess, "
        "recognition.numbers, recognition.explain, recognition.selftest"
    )
    assert "recognition" in loaded and "numpy" in loaded
    forbidden = {"flask", "werkzeug", "gunicorn", "training", "webapp", "matplotlib", "torch"}
    assert not loaded & forbidden


def imported_names(path):
    """Full dotted names of every module a Python file imports, inside functions too."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_never_imports_torch():
    """By construction, not by lazy imports: no module of recognition/ names torch anywhere (the
    torch model, its checkpoints and training's normalisation live in training/)."""
    for path in (ROOT / "recognition").rglob("*.py"):
        names = imported_names(path)
        assert not {n for n in names if n.split(".")[0] == "torch" or n == "safetensors.torch"}, (
            path
        )


# A finder that refuses torch, as a machine without it would.
NO_TORCH = """
import importlib, sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, NoTorch())
"""


def test_every_core_and_web_module_imports_where_torch_cannot():
    modules = sorted(
        f"{package}.{path.stem}" if path.stem != "__init__" else package
        for package in ("recognition", "webapp")
        for path in (ROOT / package).glob("*.py")
    )
    code = NO_TORCH + f"for m in {modules!r}: importlib.import_module(m)\nprint(len({modules!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(modules))


def test_training_does_not_import_the_web_app():
    loaded = loaded_after("import train")
    assert "training" in loaded and not loaded & {"flask", "werkzeug", "webapp"}


@pytest.mark.parametrize(
    "package,forbidden",
    [
        ("recognition", {"flask", "webapp", "training", "bench", "tests"}),
        ("training", {"flask", "webapp", "bench", "tests"}),
        ("webapp", {"training", "bench", "tests"}),
        ("harness", {"bench", "tests"}),
        ("bench", {"tests"}),
    ],
)
def test_imports_flow_one_way(package, forbidden):
    for path in (ROOT / package).rglob("*.py"):
        assert not imported_modules(path) & forbidden, path


def patches_sys_path(path):
    """Whether a Python file calls sys.path.insert/append or assigns into sys.path."""
    for node in ast.walk(ast.parse(path.read_text())):
        target = node.func if isinstance(node, ast.Call) else None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute):
            if ast.unparse(target.value) == "sys.path" and target.attr in (
                "insert",
                "append",
                "extend",
            ):
                return True
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any("sys.path" in ast.unparse(t) for t in targets):
                return True
    return False


def test_no_import_patching():
    for path in SOURCES:
        if path.suffix == ".py":
            assert not patches_sys_path(path), path
            assert "conftest" not in imported_modules(path), path


# No cap on a file's length: a file is as long as the one thing it holds needs (a cap was met by
# squeezing).
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_file_says_what_it_owns(path):
    text = path.read_text()
    if path.suffix == ".py":
        doc = ast.get_docstring(ast.parse(text))
        assert doc and doc.splitlines()[0].strip(), "no one-line docstring"
    else:
        assert text.startswith("// "), "no opening comment saying what the module owns"


@pytest.mark.parametrize(
    "command",
    [["format", "--check"], ["check"]],
    ids=["ruff format --check", "ruff check"],
)
def test_ruff_finds_nothing(command):
    """The formatter decides the layout of lines, and the linter passes (pyproject.toml)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def core_imports(path):
    """The recognition modules one module of the core imports (relative imports: from . import)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names |= {a.name for a in node.names}
    return names


def test_the_core_pipeline_runs_one_way():
    """Drawing -> numbers -> segment, preprocess -> classifier -> answer: nothing calls back up."""
    core = {p.stem: core_imports(p) for p in (ROOT / "recognition").glob("*.py")}
    # The classifier knows no drawing, no grouping and no number: it turns pixels into
    # probabilities.
    assert not core["classifier"] & {"numbers", "segment", "explain", "preprocess"}
    assert not core["answer"] & {"classifier", "numbers", "segment", "explain"}
    assert not core["segment"] & {"classifier", "numbers", "answer"}

    def imports_back(start):
        """Whether some chain of imports from start leads back to start."""
        seen = set()
        waiting = list(core.get(start, ()))
        while waiting:
            name = waiting.pop()
            if name == start:
                return True
            if name not in seen:
                seen.add(name)
                waiting.extend(core.get(name, ()))
        return False

    for module in core:
        assert not imports_back(module), f"recognition.{module} imports itself round a cycle"


def test_prettier_finds_nothing():
    """Prettier lays out the page's JavaScript and CSS (npm ci installs it; .prettierrc.json)."""
    prettier = ROOT / "node_modules" / ".bin" / "prettier"
    assert prettier.exists(), "the JS formatter is not installed: run npm ci (README, Test)"
    done = subprocess.run(
        [str(prettier), "--check", "static"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if p.suffix == ".js"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_javascript_line_runs_past_the_line_length(path):
    """Prettier breaks code at 100 characters but leaves comments and strings: they are wrapped
    by hand, as ruff's E501 asks of Python."""
    long = [n for n, line in enumerate(path.read_text().splitlines(), 1) if len(line) > 100]
    assert not long, f"lines over 100 characters: {long}"
