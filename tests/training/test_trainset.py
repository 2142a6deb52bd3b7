"""The training set's batches: digits, their variants and the drawn banks, each where and as
often as it claims.
"""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest
import torch

from recognition.answer import NOT_A_DIGIT_CLASS as NOT_A_DIGIT
from tests.support.data import ROOT
from training import background
from training import trainset as trainset_module
from training.trainset import TrainSet


def upright_strokes(count=20):
    """count digits that are one upright bar each, labelled 0..9 in turn."""
    x, y = torch.zeros(count, 1, 28, 28), torch.arange(count) % 10
    x[:, 0, 6:22, 12:16] = 1.0
    return x, y


def test_a_pen_digits_slot_takes_the_label_of_the_digit_drawn_into_it():
    x, y = torch.zeros(20, 1, 28, 28), torch.arange(20) % 10
    trainset = TrainSet(x, y, seed=0, with_conventions=False, negative_count=5, pen_count=10)
    assert len(trainset) == 35 and trainset.classes == NOT_A_DIGIT + 1
    images, labels = trainset.batch(torch.arange(35), torch.Generator().manual_seed(0))
    pen_images, pen_labels = images[25:], labels[25:]
    bank_images, bank_labels = trainset.pen
    for image, label in zip(pen_images, pen_labels):
        # the bank entry this slot was filled with
        drawn = (bank_images == image).flatten(1).all(dim=1)
        assert drawn.any() and set(bank_labels[drawn].tolist()) == {int(label)}
    assert (labels[20:25] == NOT_A_DIGIT).all() and (labels[:20] == y).all()
    assert trainset.describe()["pen_digits"]["count"] == 10


def test_banks_drawn_in_a_second_process_are_the_ones_drawn_here(monkeypatch):
    x, y = upright_strokes()
    here = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    monkeypatch.setattr(trainset_module, "SIDE_BY_SIDE_FROM", 10)
    spawned = []
    real = background.ProcessPoolExecutor

    def counted(*args, **kwargs):
        spawned.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(background, "ProcessPoolExecutor", counted)
    beside = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    assert spawned and torch.equal(here.bank, beside.bank)
    assert torch.equal(here.pen[0], beside.pen[0]) and torch.equal(here.pen[1], beside.pen[1])
    assert torch.equal(here.redrawn, beside.redrawn) and torch.equal(
        here.alternatives, beside.alternatives
    )


@pytest.mark.parametrize("failure", ["cannot start", "killed"])
def test_banks_are_drawn_here_when_the_second_process_fails(monkeypatch, failure):
    class Broken:
        def __init__(self, *args, **kwargs):
            if failure == "cannot start":
                raise OSError("no process semaphores here")

        def submit(self, *args):
            class Job:
                def result(self):
                    raise BrokenProcessPool("the process was killed")

            return Job()

        def shutdown(self, wait=True):
            pass

    x, y = upright_strokes()
    here = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    monkeypatch.setattr(trainset_module, "SIDE_BY_SIDE_FROM", 10)
    monkeypatch.setattr(background, "ProcessPoolExecutor", Broken)
    again = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    assert torch.equal(here.bank, again.bank) and torch.equal(here.pen[0], again.pen[0])


def _running(pid):
    """Whether the process is there and not a zombie (a container's init may never reap one)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_the_second_process_ends_when_training_is_killed():
    # train.py killed on its own (kill, timeout, a scheduler) once left the bank drawer behind,
    # holding its 300 MB for good.
    script = (
        "import os, time\n"
        "from training.background import second_process\n"
        "pool = second_process()\n"
        "print(pool.submit(os.getpid).result(), flush=True)\n"
        "pool.submit(time.sleep, 60)\n"
        "time.sleep(60)\n"
    )
    training = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    worker = int(training.stdout.readline())
    try:
        assert _running(worker)
        training.kill()
        training.wait()
        deadline = time.monotonic() + 15
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(worker)
    finally:
        training.kill()
        if _running(worker):
            os.kill(worker, signal.SIGKILL)


def test_redrawn_digits_swap_in_at_their_rate():
    rng = np.random.default_rng(0)
    x = torch.zeros(400, 1, 28, 28)
    x[:, 0, 6:22, 12:16] = torch.from_numpy(rng.uniform(0.5, 1, (400, 16, 4)).astype(np.float32))
    y = torch.full((400,), 3)
    trainset = TrainSet(x, y, seed=0, with_conventions=False, redraw_rate=0.5)
    images, _ = trainset.batch(torch.arange(400), torch.Generator().manual_seed(0))
    swapped = (images != x).flatten(1).any(dim=1).float().mean()
    assert 0.4 < swapped < 0.6
    assert trainset.describe()["redrawn"]["rate"] == 0.5
    assert TrainSet(x, y, seed=0, with_conventions=False).describe()["redrawn"] is None


def test_a_digit_shows_as_scanned_with_its_convention_or_redrawn(mnist_test):
    images, labels = mnist_test
    keep = np.isin(labels, [0, 1, 7])
    x = torch.tensor(images[keep][:60] / 255.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(labels[keep][:60], dtype=torch.long)
    trainset = TrainSet(x, y, seed=0, redraw_rate=0.5)
    sources = torch.stack([x, trainset.alternatives, trainset.redrawn])  # (3, N, 1, 28, 28)
    seen = torch.zeros(3, dtype=torch.bool)
    for seed in range(3):
        out, _ = trainset.batch(torch.arange(60), torch.Generator().manual_seed(seed))
        which = (sources == out).flatten(2).all(dim=2)  # (3, N): which source each output is
        assert which.any(dim=0).all()
        seen |= which.any(dim=1)
    assert seen.all()  # each kind is shown


def real_records(count=12):
    """Real-looking pen digits: one slanted bar each, labelled 0..9 in turn."""
    return [
        {"writer": "uji2", "label": i % 10, "strokes": [[[0, 0], [i + 1, 30]], [[0, 10], [8, 10]]]}
        for i in range(count)
    ]


def test_a_real_pen_digit_slot_takes_the_label_of_the_digit_drawn_into_it(monkeypatch):
    x, y = upright_strokes()
    trainset = TrainSet(
        x,
        y,
        seed=0,
        with_conventions=False,
        negative_count=4,
        real_records=real_records(),
        real_count=10,
        real_copies=3,
    )
    assert len(trainset) == 34 and trainset.describe()["real_digits"]["bank"] == 36
    images, labels = trainset.batch(torch.arange(34), torch.Generator().manual_seed(1))
    bank_images, bank_labels = trainset.real
    for image, label in zip(images[24:], labels[24:]):
        drawn = (bank_images == image).flatten(1).all(dim=1)
        assert drawn.any() and set(bank_labels[drawn].tolist()) == {int(label)}
    assert (labels[20:24] == NOT_A_DIGIT).all() and (labels[:20] == y).all()
    # Drawn in other processes, the bank is the one drawn here.
    monkeypatch.setattr(trainset_module, "SIDE_BY_SIDE_FROM", 10)
    beside = TrainSet(
        x,
        y,
        seed=0,
        with_conventions=False,
        negative_count=4,
        redraw_rate=0.5,
        real_records=real_records(),
        real_count=10,
        real_copies=3,
    )
    assert torch.equal(beside.real[0], trainset.real[0]) and torch.equal(beside.bank, trainset.bank)
