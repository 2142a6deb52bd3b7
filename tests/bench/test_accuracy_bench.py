"""bench.accuracy: it reports what the predictor scores, and a bad or missing input is one line;
AUROC on known cases."""

import gzip
import json

import numpy as np
import pytest

from bench import accuracy, scores
from recognition import preprocess
from recognition.classifier import Classifier
from recognition.numbers import read_digit
from tests.support.api import read_json
from tests.support.data import write_bench_inputs
from training.fitting import expected_calibration_error


def accuracy_flags(folder, model, mnist_dir):
    """bench.accuracy's flags for the inputs tests.support.data.write_bench_inputs put in folder."""
    return [
        "--model",
        str(model),
        "--strokes",
        str(folder / "strokes.json.gz"),
        "--letters",
        str(folder / "letters.json.gz"),
        "--data-dir",
        str(mnist_dir),
    ]


def test_accuracy_bench_reports_what_the_predictor_scores(tmp_path, small_model):
    images, labels, records = write_bench_inputs(tmp_path)
    pen = [
        {"writer": "pendigits/tes1", "label": 1, "strokes": [[[5, 0], [5, 100]]]},
        {"writer": "pendigits/tra1", "label": 7, "strokes": [[[0, 0], [9, 0], [3, 20]]]},
        {
            "writer": "pendigits/tes2",
            "label": 4,
            "strokes": [[[0, 0], [0, 50], [40, 50]], [[30, 0], [30, 90]]],
        },
    ]
    (tmp_path / "pen.json.gz").write_bytes(gzip.compress(json.dumps(pen).encode()))
    (tmp_path / "unreadable.json").write_text(json.dumps([{"index": 1, "label": 1}]))
    result = accuracy.main(
        [
            *accuracy_flags(tmp_path, small_model, tmp_path),
            "--json",
            "--no-record",
            "--timing-runs",
            "5",
            "--pen",
            str(tmp_path / "pen.json.gz"),
            "--unreadable",
            str(tmp_path / "unreadable.json"),
            "--per-kind",
            "2",
        ]
    )
    classifier = Classifier.load(small_model)
    mnist_pred = classifier.probabilities(images).argmax(1)
    stroke_pred = [
        classifier.probabilities(preprocess.strokes_to_input(r["strokes"])).argmax()
        for r in records
    ]
    assert result["mnist_test_count"] == 30 and result["strokes_count"] == 2
    # Readable: the first record only (the second is listed); pen: the held-out writers' two digits
    # only.
    assert result["strokes_readable_count"] == 1
    assert result["strokes_readable_accuracy"] == float(stroke_pred[0] == 7)
    held_out = [pen[0], pen[2]]
    read = [read_digit(classifier, preprocess.strokes_to_input(r["strokes"])) for r in held_out]
    assert (result["pen_heldout_count"], result["pen_heldout_writers"]) == (2, 2)
    assert result["pen_heldout_accuracy"] == np.mean(
        [a.digit == r["label"] for a, r in zip(read, held_out)]
    )
    kinds = result["drawings_by_kind"]
    assert kinds["flower"]["held_out"] and not kinds["house"]["held_out"]
    assert result["drawings_sure_digit_max"] == max(
        v["sure_digit"] for v in kinds.values() if not v["held_out"]
    )
    assert result["mnist_test_accuracy"] == float((mnist_pred == labels).mean())
    assert result["strokes_accuracy"] == float(
        np.mean([p == r["label"] for p, r in zip(stroke_pred, records)])
    )
    for c in range(10):
        expected = float((mnist_pred[labels == c] == c).mean()) if (labels == c).any() else None
        assert result["mnist_per_class"][c] == expected
    assert result["infer_ms_p50"] > 0 and result["total_ms_p50"] >= result["infer_ms_p50"]
    answers = [read_json(classifier, r["strokes"]) for r in records]
    letters = [
        read_json(classifier, s)
        for s in (
            [[[0, 0], [50, 60]], [[50, 0], [0, 60]]],
            [[[0, 0], [25, 60], [50, 0]]],
            [[[0, 0], [0, 80]], [[40, 10], [0, 45], [40, 80]]],
        )
    ]
    conventions = {
        name: [read_json(classifier, r["strokes"]) for r in rs]
        for name, rs in accuracy.conventions.build(records).items()
    }
    assert result["conventions"]["slashed_zero"] is None  # no zero among the records
    for name in ("flagged_one", "flagged_one_with_foot", "crossed_seven"):
        digit = {"crossed_seven": 7}.get(name, 1)
        assert result["conventions"][name] == float(conventions[name][0]["digit"] == digit)
    assert result["conventions_accuracy"] == min(
        v for v in result["conventions"].values() if v is not None
    )
    assert result["letters_count"] == 3
    assert result["letters_digit_rate"] == sum(a["verdict"] == "digit" for a in letters) / 3
    assert result["strokes_unsure_rate"] == sum(a["verdict"] == "unsure" for a in answers) / 2
    # no reject class yet
    assert result["digits_rejected_rate"] == 0 and result["letters_rejected_rate"] == 0
    # ECE itself is checked in test_calibration
    probs = np.stack([a["probabilities"] for a in answers])
    # The bench reads the strokes as one batch, the answers one at a time: the same float32 sums in
    # another order.
    assert result["strokes_ece"] == pytest.approx(
        expected_calibration_error(probs, np.array([7, 1])), abs=1e-5
    )
    scores = [a["confidence"] for a in answers], [a["confidence"] for a in letters]
    wins = sum((d > t) + 0.5 * (d == t) for d in scores[0] for t in scores[1])
    assert result["digits_vs_letters_auroc"] == pytest.approx(wins / 6)


@pytest.mark.parametrize(
    "content", [b'{"not": "a list"}', b"\x1f\x8b\x08 cut short", b'[{"label": 1}]']
)
def test_accuracy_bench_bad_stroke_file_is_one_line_naming_it(tmp_path, small_model, content):
    write_bench_inputs(tmp_path)  # valid MNIST beside it: the stroke file is what fails
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(SystemExit) as info:
        accuracy.main(
            [
                "--model",
                str(small_model),
                "--strokes",
                str(bad),
                "--data-dir",
                str(tmp_path),
                "--letters",
                str(tmp_path / "letters.json.gz"),
                "--no-record",
            ]
        )
    message = str(info.value)
    assert message.startswith(f"bench.accuracy: {bad}") and "\n" not in message


def test_accuracy_bench_without_mnist_offline_is_one_line(tmp_path, small_model, monkeypatch):
    write_bench_inputs(tmp_path)
    monkeypatch.setattr("training.mnist.MIRRORS", ("http://127.0.0.1:9/",))
    with pytest.raises(SystemExit) as info:
        accuracy.main([*accuracy_flags(tmp_path, small_model, tmp_path / "empty"), "--no-record"])
    message = str(info.value)
    assert message.startswith("bench.accuracy: could not download") and "\n" not in message


def test_auroc_of_known_cases():
    assert scores.auroc([0.9, 0.8], [0.7, 0.8]) == pytest.approx(3.5 / 4)  # the tie counts a half
    assert scores.auroc([1, 2, 3], [0]) == 1.0 and scores.auroc([0], [1, 2]) == 0.0
    assert scores.auroc([0.5] * 3, [0.5] * 4) == 0.5 and scores.auroc([], [1]) is None
