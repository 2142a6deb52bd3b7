"""What a clean machine installs is what was tested: three locked, hashed sets (serve, train,
test) made from the ranges in requirements/*.in; the serving set without torch; the README, .ci/run
and the Dockerfile naming the same locks."""

import os
import re
import subprocess
import sys
import textwrap

import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from harness.server import start_server, stop_server
from tests.support.api import SEVEN
from tests.support.data import ROOT
from webapp import create_app

REQUIREMENTS = ROOT / "requirements"
SETS = ("serve", "train", "test")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def lock(name):
    """requirements/NAME.txt -> {canonical package name: (version, [hash options])}."""
    text = (REQUIREMENTS / f"{name}.txt").read_text()
    # A requirement runs over continuation lines ending in a backslash; comments are dropped.
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    entries = " ".join(lines).replace("\\", " ")
    pinned = {}
    for entry in re.split(r"\s(?=[A-Za-z0-9][A-Za-z0-9._-]*==)", entries):
        words = entry.split()
        if not words:
            continue
        match = PIN.match(words[0])
        assert match, f"{name}.txt: not pinned with ==: {words[0]}"
        pinned[canonicalize_name(match[1])] = (match[2], words[1:])
    return pinned


def wanted(name):
    """The requirements a .in file states, its -r includes' too (-c constraints are not wanted)."""
    found = []
    for line in (REQUIREMENTS / f"{name}.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found += wanted(line.split()[1].removesuffix(".in"))
        elif line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


def own(name):
    """Canonical names of the requirements NAME.in states itself, not through -r."""
    lines = (REQUIREMENTS / f"{name}.in").read_text().splitlines()
    stated = [line.split("#")[0].strip() for line in lines]
    return {canonicalize_name(Requirement(s).name) for s in stated if s and not s.startswith("-")}


def readme_command(section):
    """The first indented command under the README's section heading."""
    text = (ROOT / "README.md").read_text().split(f"\n## {section}\n", 1)[1]
    return next(line.strip() for line in text.splitlines() if line.startswith("    "))


def test_every_package_of_every_lock_is_pinned_with_its_hashes():
    for name in SETS:
        pinned = lock(name)
        assert pinned, name
        for package, (version, options) in pinned.items():
            assert options and all(HASH.match(o) for o in options), (name, package, version)


def test_each_lock_holds_what_its_ranges_ask_within_them():
    """A range changed in a .in file without running requirements/lock.sh fails here."""
    for name in SETS:
        pinned = lock(name)
        for requirement in wanted(name):
            package = canonicalize_name(requirement.name)
            assert package in pinned, f"{name}.txt lacks {package}: run bash requirements/lock.sh"
            version = pinned[package][0]
            assert requirement.specifier.contains(version, prereleases=True), (name, package)
            for extra in requirement.extras:
                assert canonicalize_name(f"{package}-{extra}") in pinned, (name, package, extra)


def test_a_package_in_two_sets_has_one_version_and_each_set_holds_the_one_it_extends():
    serve, train, test = (lock(name) for name in SETS)
    assert serve.items() <= train.items() and train.items() <= test.items()


# What training and the tests bring that the server never loads (torch's own dependencies too).
TRAINING_AND_TESTS_ONLY = {
    "torch",
    "sympy",
    "networkx",
    "matplotlib",
    "tqdm",
    "hershey-fonts",
    "pytest",
    "playwright",
    "hypothesis",
    "schemathesis",
    "ruff",
}


def test_torch_is_its_exact_cpu_build_for_training_and_absent_from_serving():
    assert lock("train")["torch"][0] == "2.13.0+cpu" and lock("test")["torch"][0] == "2.13.0+cpu"
    assert TRAINING_AND_TESTS_ONLY <= set(lock("test"))
    assert not set(lock("serve")) & TRAINING_AND_TESTS_ONLY
    # Nothing training or the tests ask for themselves is asked for by the serving set as well.
    assert not own("serve") & (own("train") | own("test"))


def test_the_readme_the_ci_and_the_container_install_the_locks():
    run, test = readme_command("Install and run"), readme_command("Test")
    for command, name in ((run, "serve"), (test, "test")):
        named = re.findall(r"-r (\S+)", command)
        assert named == [f"requirements/{name}.txt"], command
        assert "--require-hashes" in command and (ROOT / named[0]).is_file()
    assert run.endswith("python -m webapp") and test.endswith("python -m pytest")
    # .ci/run runs the README's test command as written, in the virtualenv it has just made.
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci and ci.index(test) > ci.index('python3 -m venv "$venv"')
    # requirements.txt, where tools look first, is the serving lock by another name.
    entry = (ROOT / "requirements.txt").read_text().splitlines()
    assert [line for line in entry if line and not line.startswith("#")] == [
        "-r requirements/serve.txt"
    ]
    docker = (ROOT / "Dockerfile").read_text()
    assert "-r requirements/serve.txt" in docker and "torch" not in docker.replace("no torch", "")
    # Every lock says the one command that regenerates it, and that command is there.
    assert (REQUIREMENTS / "lock.sh").is_file()
    for name in SETS:
        assert "#    bash requirements/lock.sh\n" in (REQUIREMENTS / f"{name}.txt").read_text()


def loaded_at_start():
    """Top-level modules a bare interpreter of this environment holds before running anything."""
    code = "import sys; print(' '.join({name.split('.')[0] for name in sys.modules}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


SERVING_MODULES = textwrap.dedent(
    """
    import sys
    sys.modules["torch"] = None  # as if not installed: importing it raises ImportError
    import webapp, webapp.__main__, webapp.worker
    from webapp import create_app
    client = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client()
    answer = client.post("/api/predict", json={"strokes": %r})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    from importlib.metadata import packages_distributions
    where = packages_distributions()
    loaded = {name.split(".")[0] for name, module in list(sys.modules.items()) if module}
    # Loaded at every start, before the server (a .pth file's, e.g. setuptools' distutils hack).
    loaded -= set(%r)
    # Imported only where present, with a fallback (numpy.f2py, which scipy loads).
    loaded -= {"charset_normalizer"}
    third_party = {d for name in loaded - set(sys.stdlib_module_names) for d in where.get(name, [])}
    print(answer.get_json()["digit"], " ".join(sorted(third_party)))
    """
)


def test_what_the_server_imports_comes_from_the_serving_lock_and_torch_is_not_needed():
    """The test set holds more than the server's: this catches a server import that only the
    test or training lock provides, which a venv of the serving lock would lack."""
    done = subprocess.run(
        [sys.executable, "-c", SERVING_MODULES % (SEVEN, sorted(loaded_at_start()))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    digit, *distributions = done.stdout.split()
    assert digit == "7"
    serving = set(lock("serve"))
    assert distributions and {canonicalize_name(d) for d in distributions} <= serving


def test_the_production_server_answers_with_torch_not_installed(tmp_path):
    """python -m webapp (gunicorn, its forked worker) where `import torch` fails, as in the
    container: it starts, and answers a predict as the app in this process does."""
    blocker = tmp_path / "torch"
    blocker.mkdir()
    (blocker / "__init__.py").write_text('raise ImportError("torch is not installed")\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc, base = start_server(env=env)
    try:
        served = requests.post(f"{base}/api/predict", json={"strokes": SEVEN}, timeout=30)
    finally:
        stop_server(proc)
    reference = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client()
    expected = reference.post("/api/predict", json={"strokes": SEVEN}).get_json()
    assert served.status_code == 200 and served.json()["digit"] == expected["digit"] == 7
    assert served.json()["probabilities"] == expected["probabilities"]
