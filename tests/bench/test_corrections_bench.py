"""bench.corrections on a small load (SQLite; the bench adds PostgreSQL and its stop and start):
the production server, concurrent writers, a SIGKILL of the whole server halfway; nothing
answered is lost, nothing is stored twice."""

from bench import corrections


def test_a_small_load_loses_and_doubles_nothing_even_through_a_kill():
    args = corrections.parse_args(["--writers", "3", "--each", "20", "--no-postgres"])
    stores = corrections.measure(args)["stores"]
    assert stores["SQLite"]["corrections"] == 60
    assert stores["SQLite"]["lost"] == 0 and stores["SQLite"]["doubled"] == 0
    killed = stores["SQLite, SIGKILL halfway"]
    assert killed["answered_before_kill"] >= 30
    assert killed["lost"] == 0 and killed["doubled"] == 0
