#!/usr/bin/env bash
# Regenerates the locks (serve.txt, train.txt, test.txt) from the ranges in their .in files, with
# pip-tools' pip-compile: every package pinned == with the SHA-256 of each of its files.
#
#   bash requirements/lock.sh             # after changing a .in file: keeps every pin that still fits
#   bash requirements/lock.sh --upgrade   # to take new releases (then run the tests before committing)
#
# pip-compile resolves with pip itself, the installer the README's commands use, and for the Python
# it runs on: run it with Python 3.11 on Linux x86_64, what CI and the container run. torch's CPU
# build is on PyTorch's own index, not PyPI (this project's machines have it in pip's find-links).
set -euo pipefail
cd "$(dirname "$0")"
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet pip-tools==7.7.0
export CUSTOM_COMPILE_COMMAND="bash requirements/lock.sh"
# Each set is compiled against the one it extends (train.in and test.in say -c), so a package in
# two sets has one version in both.
for set in serve train test; do
  "$tools/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links \
    --extra-index-url https://download.pytorch.org/whl/cpu --pip-args "--retries 0" \
    "$@" --output-file "$set.txt" "$set.in"
done
