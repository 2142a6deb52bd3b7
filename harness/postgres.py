"""A private PostgreSQL cluster in a temporary folder, on a free port, for tests and benchmarks.

Debian's `postgresql` package gives the programs (.ci/run installs it); the cluster is the
caller's own: made with initdb, trusting local connections, listening on 127.0.0.1 only, and
stopped and removed with the folder. PostgreSQL refuses to run as root, so as root it runs as
the package's `postgres` user.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bin():
    """The folder of initdb and pg_ctl, or None where PostgreSQL is not installed. Debian keeps
    them out of PATH, under /usr/lib/postgresql/VERSION/bin."""
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb, start, stop and start again; `url` is a postgresql:// URL for the app."""

    def __init__(self, folder=None, bin_dir=None):
        self.bin = Path(bin_dir or find_bin())
        # Its own folder under /tmp by default: the server's user must reach it, and a test's
        # temporary folder is private to the user running the tests.
        self.folder = Path(folder or tempfile.mkdtemp(prefix="digits-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    @property
    def url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def database(self, name):
        """A new, empty database on the cluster: its URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def init(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        return self

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        return self

    def stop(self, mode="fast"):
        """Stop the server (mode "immediate": as if it died)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)
