"""What each dependency set costs to install: a fresh virtualenv per requirements file, measured.

Run as `python -m bench.install_size`. Each file (the three locks by default: serve, train, test)
is installed with pip into a new virtualenv in a temporary folder, as the README's commands do
(pip's download cache may help; nothing installed before is reused), then measured: its size on
disk (du), its packages, the seconds the install took, and whether torch imports there. Give
another file to compare against, e.g. a requirements file from an older commit:

    git show OLD:requirements.txt > /tmp/old.txt
    python -m bench.install_size requirements/serve.txt /tmp/old.txt
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import runner
from bench.record import shown_path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = tuple(str(ROOT / "requirements" / f"{name}.txt") for name in ("serve", "train", "test"))


def parse_args(argv=None):
    p = runner.parser("install_size", __doc__, model=False, strokes=False)
    p.add_argument("files", nargs="*", default=list(LOCKS), help="requirements files to install")
    return p.parse_args(argv)


def venv_size(folder):
    """Bytes on disk under folder, as du counts them."""
    out = subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) * 1024


def installed(file, folder):
    """Install one requirements file into a new virtualenv under folder -> its figures."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    start = time.perf_counter()
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", str(file)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True
    )
    torch = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    return {
        "file": shown_path(file),
        "bytes": venv_size(venv),
        "packages": len(listed.stdout.split()),
        "install_s": seconds,
        "torch": torch,
    }


def measure(args):
    rows = []
    for file in args.files:
        if not Path(file).is_file():
            raise OSError(f"no requirements file {file}")
        with tempfile.TemporaryDirectory(prefix="install-size-") as folder:
            rows.append(installed(file, Path(folder)))
    smallest = min(row["bytes"] for row in rows)
    for row in rows:
        row["times_smallest"] = row["bytes"] / smallest
    return {"sets": rows}


def table(r):
    lines = [
        "| requirements | venv on disk | packages | install | torch | x the smallest |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for row in r["sets"]:
        lines.append(
            f"| {row['file']} | {row['bytes'] / 2**20:,.0f} MiB | {row['packages']} "
            f"| {row['install_s']:.0f} s | {'yes' if row['torch'] else 'no'} "
            f"| {row['times_smallest']:.1f}x |"
        )
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("install_size", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
