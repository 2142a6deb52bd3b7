"""/model: what the network is and how good it is, from the sidecar and report as they are on
disk.
"""

import json
import re

import pytest

from recognition import checkpoint
from webapp import create_app
from webapp.model_report import report_folder

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 16


@pytest.fixture()
def reported(small_model, tmp_path):
    """The small model with a report folder: metrics, a bench record and two of the figures."""
    model = tmp_path / "small.safetensors"
    model.write_bytes(small_model.read_bytes())
    checkpoint.sidecar_path(model).write_text(checkpoint.sidecar_path(small_model).read_text())
    checkpoint.update_sidecar(
        model,
        metrics={
            "test_accuracy": 0.9876,
            "baseline_test_accuracy": 0.9237,
            "per_class_accuracy": [0.9 + d / 100 for d in range(10)],
        },
    )
    folder = report_folder(model)
    folder.mkdir()
    confusion = [
        [7 if r == c else (3 if (r, c) == (4, 9) else 0) for c in range(11)] for r in range(10)
    ]
    (folder / "metrics.json").write_text(json.dumps({"confusion": confusion, "history": [{}] * 12}))
    (folder / "bench.json").write_text(
        json.dumps({"strokes_accuracy": 0.9812, "strokes_count": 3659, "letters_digit_rate": 0.046})
    )
    for name in ("reliability", "curves"):
        (folder / f"{name}.png").write_bytes(PNG)
    return create_app({"TESTING": True, "MODEL_PATH": str(model)}).test_client()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_the_models_own_figures(reported):
    response = reported.get("/model")
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = text_of(response.get_data(as_text=True))
    assert "98.76% right on the 10,000 MNIST test digits" in text
    assert "98.1% right on 3,659 digits people drew" in text and "92.4% for comparison" in text
    assert "4.6% of handwritten letters" in text and "(12 passes through them all)" in text
    assert "Digit 0 1 2 3 4 5 6 7 8 9 Read right 90.0% 91.0% 92.0%" in text
    assert "not a digit" in text  # the confusion matrix's 11th column


def test_the_page_says_what_was_made_for_training_as_the_sidecar_records_it(reported):
    text = text_of(reported.get("/model").get_data(as_text=True))
    assert "was made for it" not in text  # the small model learnt from MNIST alone
    model = reported.application.config["MODEL_PATH"]
    checkpoint.update_sidecar(
        model,
        training={
            "redrawn": {"rate": 0.15},
            "pen_digits": {"count": 2500},
            "negatives": {"count": 16000},
            "conventions": None,
        },
    )
    page = create_app({"TESTING": True, "MODEL_PATH": model}).test_client().get("/model")
    text = text_of(page.get_data(as_text=True))
    assert "15% of the MNIST digits traced again" in text and "2,500 digits from typefaces" in text
    assert "16,000 drawings that are not digits" in text and "a slash through a zero" not in text
    assert "wrote with a pen" not in text  # no real pen digits in this sidecar
    checkpoint.update_sidecar(
        model,
        training={"real_digits": {"count": 15000}},
        data={"strokes": [{"file": "a.json.gz", "trained": 7494}, {"file": "b", "trained": 22}]},
    )
    (report_folder(model) / "bench.json").write_text(
        json.dumps(
            {"pen_heldout_accuracy": 0.9876, "pen_heldout_count": 3498, "pen_heldout_writers": 14}
        )
    )
    text = text_of(
        create_app({"TESTING": True, "MODEL_PATH": model})
        .test_client()
        .get("/model")
        .get_data(as_text=True)
    )
    assert (
        "and from 7,516 digits that other people wrote with a pen on tablets and touch screens"
        in text
    )
    assert "98.8% right on 3,498 pen-drawn digits by 14 people it never learned from" in text


def test_only_the_figures_on_disk_are_shown_and_served(reported):
    html = reported.get("/model").get_data(as_text=True)
    assert "/model/figures/reliability.png" in html and "/model/figures/curves.png" in html
    assert "/model/figures/most_wrong.png" not in html  # not in the folder: no broken picture
    assert reported.get("/model/figures/reliability.png").data == PNG
    for name in ("most_wrong", "metrics", "..%2Fsmall"):
        assert reported.get(f"/model/figures/{name}.png").status_code == 404


def test_a_model_without_a_report_still_has_a_page(client):
    text = text_of(client.get("/model").get_data(as_text=True))
    assert "What it is" in text and "not measured" in text
