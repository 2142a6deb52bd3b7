"""How a bench writes BENCHMARKS.md: its section replaced, not appended, and a machine line that
names the CPU features that matter."""

from bench import record


def test_benchmark_sections_are_replaced_not_appended(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    record.write_section("speed", "bench/x.py", "first", path=path)
    record.write_section("other", "bench/y.py", "kept", path=path)
    record.write_section("speed", "bench/x.py --fast", "second", path=path)
    text = path.read_text()
    assert text.count("<!-- speed:start -->") == 1 and "second" in text and "first" not in text
    assert "kept" in text and "Command: `bench/x.py --fast`" in text and "Machine: " in text


def test_machine_line_names_the_cpu_features_that_matter():
    assert (
        record.cpu_features({"avx2", "avx512f", "avx512_bf16"})
        == "AVX-512 yes, native bf16 yes, AVX2 yes"
    )
    assert record.cpu_features({"avx2", "amx_bf16"}) == "AVX-512 no, native bf16 yes, AVX2 yes"
    assert record.cpu_features(set()) == "AVX-512 no, native bf16 no, AVX2 no"
    assert "native bf16" in record.machine()
