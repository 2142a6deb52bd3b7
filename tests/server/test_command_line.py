"""The server's command line: bad arguments and settings exit with one clear line, never a
traceback."""

import os
import socket
import subprocess
import sys

import pytest

from recognition import checkpoint
from tests.support.data import ROOT
from webapp import __main__ as server


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--port", "70000"], "PORT (--port or DIGITS_PORT) must be 1..65535, got 70000"),
        (["--threads", "0"], "THREADS (--threads or DIGITS_THREADS) must be at least 1, got 0"),
        (["--workers", "-1"], "WORKERS (--workers or DIGITS_WORKERS) must be at least 0"),
        (["--model", "/nowhere/model.safetensors"], "cannot read model sidecar"),
        (["--model", "DAMAGED"], "the weights' SHA-256 is"),
        (["--host", "no-such-host.invalid"], "HOST (--host or DIGITS_HOST) 'no-such-host.invalid'"),
        (["--port", "TAKEN"], "(--host, --port): Address already in use"),
    ],
)
def test_server_bad_arguments_exit_with_one_clear_line(args, needle, small_model, tmp_path):
    if "DAMAGED" in args:
        # The small model's sidecar beside its weights with one byte changed: they load, but are
        # not the weights the sidecar names.
        damaged = tmp_path / "m.safetensors"
        blob = bytearray(checkpoint.weights_path(small_model).read_bytes())
        blob[-1] ^= 1
        damaged.write_bytes(bytes(blob))
        checkpoint.sidecar_path(damaged).write_text(
            checkpoint.sidecar_path(small_model).read_text()
        )
        args = ["--model", str(damaged)]
    if "TAKEN" in args:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        args = ["--port", str(taken.getsockname()[1])]
    with pytest.raises(SystemExit) as info:
        server.main(args)
    message = str(info.value)
    assert message.startswith("python -m webapp: ") and needle in message and "\n" not in message


@pytest.mark.parametrize(
    "args,environ,needle",
    [
        (["--port", "eighty"], {}, "argument --port: invalid int value: 'eighty'"),
        (
            [],
            {"DIGITS_MAX_STROKES": "lots"},
            "python -m webapp: MAX_STROKES (DIGITS_MAX_STROKES) must be a whole number, got 'lots'",
        ),
    ],
)
def test_the_real_command_line_refuses_with_one_line_and_no_traceback(args, environ, needle):
    proc = subprocess.run(
        [sys.executable, "-m", "webapp", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **environ},
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith(needle)
