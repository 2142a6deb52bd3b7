"""bench.live: the page's asks replayed and counted by moment, as the README's figures are made."""

from bench import live


def answer(verdict, number):
    return {"verdict": verdict, "number": number, "confidence": 0.9}


def test_an_answer_shown_sure_of_another_number_is_counted_wrong_and_no_digit_is_never_right():
    asked = [
        ("writing", answer("digit", "1")),
        ("writing", answer("unsure", "7")),
        ("between", answer("digit", "7")),
        ("end", answer("not_a_digit", None)),
    ]
    counts = live.tally("7", asked)
    assert counts["writing"].tolist() == [2, 1, 1, 0]
    assert counts["between"].tolist() == [1, 1, 0, 0]
    assert counts["end"].tolist() == [1, 0, 0, 1]
    assert live.tally(None, asked)["between"].tolist() == [1, 1, 1, 0]


def test_a_drawing_is_asked_about_as_the_page_asks(tmp_path):
    strokes = [[[i, 0] for i in range(10)], [[5, i] for i in range(1, 6)]]
    asked = list(live.asks(strokes, every=4))
    assert [name for name, _ in asked] == ["writing", "writing", "between", "writing", "end"]
    assert all(body.get("writing") is True for name, body in asked if name == "writing")
    assert all("writing" not in body for name, body in asked if name != "writing")
    # fitted into the page's 500 px canvas, as the page sends it
    last = asked[-1][1]
    assert last["width"] == last["height"] == live.CANVAS
    assert all(0 <= v <= live.CANVAS for s in last["strokes"] for p in s for v in p)


def test_the_bench_runs_end_to_end_in_process_on_a_few_drawings(tmp_path):
    result = live.main(
        ["--in-process", "--limit", "1", "--numbers", "1", "--per-kind", "1", "--no-record"]
    )
    sets = result["sets"]
    assert {"shared", "held_out", "numbers (shared)", "numbers (held out)"} <= set(sets)
    assert any(name.startswith("no digit: ") for name in sets)
    for figures in sets.values():
        assert figures["end"]["answers"] == figures["drawings"]
        assert 0 <= figures["writing"]["sure_wrong"] <= figures["writing"]["sure"] <= 1
