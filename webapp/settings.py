"""Every setting of the app and its server, in one table: default, DIGITS_ variable, server flag,
meaning.
"""

import os
from dataclasses import dataclass

from recognition.classifier import DEFAULT_MODEL

ENV_PREFIX = "DIGITS_"


class SettingError(ValueError):
    """A setting with a value it cannot take; the message names the setting and says what it
    needs.
    """


@dataclass(frozen=True)
class Setting:
    """One setting: its default, what it means, the server flag that sets it (if any) and its
    lowest value.
    """

    name: str
    default: object
    help: str
    flag: str = None
    minimum: int = None
    # the default as the README shows it, where the value itself is machine-specific
    shown: str = None
    # a text setting that may be empty (it then means what its help says)
    optional: bool = False

    @property
    def env(self):
        return ENV_PREFIX + self.name


SETTINGS = (
    Setting(
        "MODEL_PATH",
        str(DEFAULT_MODEL),
        "the model's weights; its JSON sidecar lies beside them",
        "--model",
        shown="models/mlp.safetensors",
    ),
    Setting(
        "HOST", "127.0.0.1", "address the server listens on (0.0.0.0: every interface)", "--host"
    ),
    Setting("PORT", 8000, "port the server listens on", "--port", minimum=1),
    Setting("WORKERS", 0, "server worker processes (0: one per core)", "--workers", minimum=0),
    Setting(
        "THREADS",
        2,
        "threads per worker that run the app and the model (connections wait on an event loop, "
        "not on a thread)",
        "--threads",
        minimum=1,
    ),
    Setting(
        "READ_TIMEOUT",
        15,
        "seconds a client may take to send a request's headers, and again its body (then the "
        "connection is closed; a slow body is answered 408); also how long an idle keep-alive "
        "connection stays open",
        "--read-timeout",
        minimum=1,
    ),
    Setting(
        "MATH_THREADS",
        1,
        "threads the model's arithmetic uses per worker process, in numpy's BLAS "
        "(0: the library's default)",
        minimum=0,
    ),
    Setting(
        "MAX_CONTENT_LENGTH", 1024 * 1024, "largest request body, in bytes (larger: 413)", minimum=1
    ),
    Setting("MAX_STROKES", 200, "most strokes in one drawing", minimum=1),
    Setting("MAX_POINTS", 20000, "most points in one drawing, all strokes together", minimum=1),
    Setting(
        "MAX_IMAGE_PIXELS",
        4000 * 3000,
        "largest image, width x height, checked before decoding",
        minimum=1,
    ),
    Setting(
        "MAX_DECODED_PIXELS",
        1536 * 1024,
        "most pixels decoded for one image (a JPEG decodes at down to 1/8 of each side; other "
        "formats whole): bounds an image's CPU time",
        minimum=1,
    ),
    Setting(
        "MAX_IMAGE_SIDE",
        8192,
        "longest side of an image, in pixels (a PNG's cost grows with its rows)",
        minimum=1,
    ),
    Setting(
        "DATABASE_URL",
        "",
        "where corrections are kept: a postgresql:// URL for a store that several app machines "
        "share; empty: an SQLite file, corrections.db, in the app's instance folder",
        optional=True,
        shown="(empty)",
    ),
    Setting(
        "ADMIN_TOKEN",
        "",
        "the token that opens the review page, /corrections (empty: the page is off); "
        "give it in the environment, never on a command line",
        optional=True,
        shown="(empty)",
    ),
    Setting(
        "CORRECTIONS_LIMIT",
        100000,
        "most corrections the store keeps (then a correction is refused with 507, store_full)",
        minimum=1,
    ),
    Setting(
        "CORRECTIONS_RATE",
        "30 per minute",
        "how many corrections one client may send (Flask-Limiter's notation; more: 429), "
        "counted by each server process on its own; behind nginx, deploy/'s limit counts once "
        "for every instance",
    ),
    Setting(
        "CORRECTIONS_KEEP_DAYS",
        0,
        "days a correction is kept: older ones are deleted at every start and by `flask --app "
        "webapp corrections prune` (0: kept until deleted by hand)",
        minimum=0,
    ),
    Setting(
        "PROXIES",
        0,
        "proxies in front of the app that add the client's address to X-Forwarded-For "
        "(nginx as in deploy/: 1): the address is then read from there, for the corrections "
        "rate limit and the log; 0: the address the connection comes from",
        minimum=0,
    ),
    Setting(
        "REQUEST_LOG",
        1,
        "1: one JSON line per request on the server's output (time, method, path, status, "
        "duration, request id; never the body); 0: none",
        minimum=0,
    ),
    Setting(
        "LOG_ADDRESSES",
        0,
        "1: the request log names the client's address too; 0: it does not",
        minimum=0,
    ),
    Setting(
        "METRICS",
        0,
        "1: Prometheus metrics at /metrics (requests, latency, verdicts, corrections), every "
        "worker's added up; 0: no /metrics",
        minimum=0,
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def defaults():
    """{name: default} for every setting."""
    return {s.name: s.default for s in SETTINGS}


def check(config):
    """Raise SettingError for the first setting in config with a value of the wrong type or below
    its minimum.
    """
    for setting in SETTINGS:
        value = config.get(setting.name)
        source = f"{setting.name} ({setting.flag + ' or ' if setting.flag else ''}{setting.env})"
        if isinstance(setting.default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingError(f"{source} must be a whole number, got {value!r}")
            if setting.minimum is not None and value < setting.minimum:
                raise SettingError(f"{source} must be at least {setting.minimum}, got {value}")
            if setting.name == "PORT" and value > 65535:
                raise SettingError(f"{source} must be 1..65535, got {value}")
        elif not isinstance(value, str):
            raise SettingError(f"{source} must be a string, got {value!r}")
        elif not value and not setting.optional:
            raise SettingError(f"{source} must be a non-empty string, got {value!r}")


def from_environment(environ=None):
    """The settings given as DIGITS_ variables, typed as their defaults are (a bad number stays a
    string).
    """
    environ = os.environ if environ is None else environ
    found = {}
    for setting in SETTINGS:
        if setting.env in environ:
            raw = environ[setting.env]
            try:
                found[setting.name] = int(raw) if isinstance(setting.default, int) else raw
            except ValueError:
                found[setting.name] = raw  # check() then names it
    return found


def markdown_table():
    """The README's table of settings, made from SETTINGS (a test keeps the README equal to it)."""
    rows = ["| setting | default | environment | server flag | meaning |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(
            f"| `{s.name}` | `{s.shown or s.default}` | `{s.env}` | "
            f"{f'`{s.flag}`' if s.flag else ''} "
            f"| {s.help} |"
        )
    return "\n".join(rows)
