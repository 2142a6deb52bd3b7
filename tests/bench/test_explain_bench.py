"""bench.explain: it times the endpoint and reports its largest answer."""

from bench import explain
from tests.support.data import write_bench_inputs


def test_explain_bench_times_the_endpoint_and_reports_its_largest_answer(tmp_path, small_model):
    _, _, records = write_bench_inputs(tmp_path)
    result = explain.main(
        [
            "--model",
            str(small_model),
            "--strokes",
            str(tmp_path / "strokes.json.gz"),
            "--json",
            "--no-record",
        ]
    )
    from webapp import create_app

    client = create_app({"TESTING": True, "MODEL_PATH": str(small_model)}).test_client()
    sizes = [
        len(client.post("/api/explain", json=explain.canvas_payload(r["strokes"])).data)
        for r in records
    ]
    assert result["count"] == 2 and result["answer_bytes_max"] == max(sizes)
    assert result["explain_ms_p50"] > 0 and result["predict_ms_p50"] > 0
