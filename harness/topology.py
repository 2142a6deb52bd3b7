"""The deployed topology on one machine, from deploy/'s own files: app instances started as
deploy/digits@.service starts them, nginx running deploy/nginx/digits.conf in front, and one
PostgreSQL (harness.postgres) that they share.

Everything lives in one temporary folder. The deploy files are used as they are, but for what
a test machine must change: the instances' ports, nginx's ports, the TLS certificate (a
self-signed one, made here) and the log paths (nginx_changes lists each change; a test checks
that nothing else differs).
"""

import http.client
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness.postgres import Cluster, find_bin, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "digits.conf"
UNIT = DEPLOY / "digits@.service"
ENV_FILE = DEPLOY / "digits.env"
TCP_ESTABLISHED = "01"  # the state column of /proc/net/tcp
# The instances' ports as deploy/ names them (the unit's instance name is its port).
DEPLOY_PORTS = (8001, 8002, 8003)
# nginx's corrections limit per client address, as deploy's config sets it.
DEPLOY_CORRECTIONS_RATE = "30r/m"

# nginx's main file around digits.conf, as Debian's /etc/nginx/nginx.conf is around conf.d/.
NGINX_MAIN = """{user}
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/log/nginx-error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {folder}/nginx-tmp/body;
    proxy_temp_path {folder}/nginx-tmp/proxy;
    fastcgi_temp_path {folder}/nginx-tmp/fastcgi;
    uwsgi_temp_path {folder}/nginx-tmp/uwsgi;
    scgi_temp_path {folder}/nginx-tmp/scgi;
    include {folder}/digits.conf;
}}
"""


def unit_service(path=UNIT):
    """The unit file's [Service] section: {key: [values]} (Environment= comes several times)."""
    found, section = {}, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def env_file(path=ENV_FILE):
    """The settings file every instance reads: {name: value}."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            found[name] = value
    return found


def instance_command(unit=None):
    """The unit's ExecStart, with this Python in place of the deployed venv's."""
    unit = unit or unit_service()
    words = shlex.split(unit["ExecStart"][0])
    return [sys.executable, *words[1:]]


def instance_environment(port, unit=None, settings=None):
    """The environment the unit gives instance `port`: the env file, then its Environment= lines
    (systemd's order), %i being the port."""
    unit = unit or unit_service()
    environment = dict(settings if settings is not None else env_file())
    for line in unit.get("Environment", []):
        name, value = line.split("=", 1)
        environment[name] = value.replace("%i", str(port))
    return environment


def nginx_changes(ports, http_port, https_port, folder, corrections_rate=None):
    """{text in digits.conf: what it becomes here}; ports: this run's instances, in order (up to
    three; with fewer, the other upstream lines go); corrections_rate: nginx's limit per address
    in its notation (e.g. "600r/m"), where a benchmark's one address sends more than a person."""
    changes = {}
    if corrections_rate:
        changes[f"rate={DEPLOY_CORRECTIONS_RATE};"] = f"rate={corrections_rate};"
    for index, deployed in enumerate(DEPLOY_PORTS):
        line = f"    server 127.0.0.1:{deployed} "
        changes[line] = f"    server 127.0.0.1:{ports[index]} " if index < len(ports) else None
    changes.update(
        {
            "    listen 80;\n": f"    listen 127.0.0.1:{http_port};\n",
            "    listen [::]:80;\n": "",
            "    listen 443 ssl http2;\n": f"    listen 127.0.0.1:{https_port} ssl http2;\n",
            "    listen [::]:443 ssl http2;\n": "",
            "/etc/ssl/digits/": f"{folder}/tls/",
            "/var/log/nginx/": f"{folder}/log/",
        }
    )
    return changes


def render_nginx(ports, http_port, https_port, folder, text=None, corrections_rate=None):
    """digits.conf as this run uses it. Raises ValueError if a change finds nothing to change:
    the deploy file and the tested one have drifted apart."""
    text = NGINX_CONF.read_text() if text is None else text
    changes = nginx_changes(ports, http_port, https_port, folder, corrections_rate)
    for old, new in changes.items():
        if old not in text:
            raise ValueError(f"deploy/nginx/digits.conf no longer holds {old.strip()!r}")
        if new is None:
            # an upstream line this run has no instance for
            text = re.sub(rf"^{re.escape(old)}.*\n", "", text, flags=re.M)
        else:
            text = text.replace(old, new)
    return text


class Instance:
    """One app instance: `python -m webapp` as the unit starts it, in a process group of its own
    (its master and workers die together when killed, as systemd's control group does)."""

    def __init__(self, port, environment, log_path):
        self.port, self.environment, self.log_path = port, environment, log_path
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            instance_command(),
            cwd=ROOT,
            env={**os.environ, **self.environment},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def ready(self):
        """Whether /api/ready answers 200 now."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_ready(self, timeout=90):
        """Seconds until /api/ready answered; RuntimeError if the instance exits or is too slow."""
        began = time.time()
        while time.time() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"instance {self.port} exited: {self.log_tail()}")
            if self.ready():
                return time.time() - began
            time.sleep(0.05)
        raise RuntimeError(f"instance {self.port} not ready within {timeout} s")

    def kill(self):
        """SIGKILL to the master and its workers at once: the instance dies mid-request."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout=40):
        """SIGTERM, as systemctl stop or restart sends: stop listening, finish what it holds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def pids(self):
        """The master's pid and its workers'."""
        if self.process is None or self.process.poll() is not None:
            return []
        return [self.process.pid, *children(self.process.pid)]

    def log_tail(self, lines=5):
        return " | ".join(Path(self.log_path).read_text().splitlines()[-lines:])


def children(pid):
    """The pids whose parent is pid (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def rss_kib(pid):
    """A process's resident memory in KiB (0 where it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def private_kib(pid):
    """A process's own memory in KiB: resident pages of its private mappings that no other
    process maps (0 where it is gone). What a leak grows.

    Resident memory also counts pages shared with the master a worker was forked from, and
    pages of shared memory: PostgreSQL's buffer cache as it fills (bounded by shared_buffers),
    nginx's zones. The kernel's Private_* figures count a shared mapping's pages as private too
    while only one process maps them (PostgreSQL's checkpointer showed 8 MB of its shared memory
    so), so shared mappings (an "s" in their permissions) are left out here.
    """
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return 0
    total, shared = 0, False
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 1 and "-" in fields[0] and len(fields[1]) == 4:
            shared = fields[1][3] == "s"  # a mapping's header: "start-end perms offset ..."
        elif not shared and fields[0] in ("Private_Clean:", "Private_Dirty:"):
            total += int(fields[1])
    return total


def connections_on(port, pids):
    """{pid: how many established TCP connections to local `port` that process holds}.

    A socket is matched to a process through its inode: the kernel's connection tables
    (/proc/net/tcp, tcp6) name each socket's inode and state, a process's /proc/PID/fd its
    sockets'. The soak counts nginx's workers' client connections so: a worker's memory follows
    the most it has held at once.
    """
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == TCP_ESTABLISHED and local_port == port:
                established.add(fields[9])
    return {pid: len(socket_inodes(pid) & established) for pid in pids}


def socket_inodes(pid):
    """The inodes of a process's open sockets (none where it is gone)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return set()
    inodes = set()
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue  # closed while being read (the listing's own descriptor among them)
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    return inodes


class Topology:
    """PostgreSQL, N instances and nginx in `folder`; start() brings them up in that order."""

    def __init__(self, instances=3, folder=None, extra_environment=None, corrections_rate=None):
        if shutil.which("nginx") is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        if find_bin() is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        if not 1 <= instances <= len(DEPLOY_PORTS):
            raise ValueError(f"instances must be 1 to {len(DEPLOY_PORTS)}")
        self.folder = Path(folder or tempfile.mkdtemp(prefix="digits-topology-"))
        self.folder.chmod(0o755)
        for sub in ("log", "tls", "run", "nginx-tmp"):
            (self.folder / sub).mkdir(exist_ok=True)
        self.extra_environment = extra_environment or {}
        self.corrections_rate = corrections_rate
        self.ports = [free_port() for _ in range(instances)]
        self.http_port, self.https_port = free_port(), free_port()
        self.cluster = Cluster(self.folder / "postgres")
        self.instances = []
        self.nginx = None
        self.database_url = None

    @property
    def url(self):
        """Where clients go: nginx, over TLS, as deployed."""
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def access_log(self):
        return self.folder / "log" / "digits.access.log"

    def start(self):
        """Bring everything up; on a failure, what did start is stopped and the error raised."""
        try:
            return self._start()
        except BaseException:
            self.remove()
            raise

    def _start(self):
        self.cluster.init().start()
        self.database_url = self.cluster.database("digits")
        settings = env_file()
        settings["DIGITS_DATABASE_URL"] = self.database_url
        for port in self.ports:
            environment = instance_environment(port, settings=settings)
            # /run/digits-PORT (the unit's RuntimeDirectory) under this folder.
            environment["PROMETHEUS_MULTIPROC_DIR"] = str(self.folder / "run" / f"digits-{port}")
            environment.update(self.extra_environment)
            log = self.folder / "log" / f"app-{port}.log"
            self.instances.append(Instance(port, environment, log).start())
        for instance in self.instances:
            instance.wait_ready()
        self.start_nginx()
        return self

    def start_nginx(self):
        self.make_certificate()
        self.write_nginx_conf(self.ports)
        user = "user root;" if os.geteuid() == 0 else ""
        main = NGINX_MAIN.format(user=user, folder=self.folder)
        (self.folder / "nginx.conf").write_text(main)
        command = ["nginx", "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True, text=True)
        log = open(self.folder / "log" / "nginx-out.log", "a")
        self.nginx = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        began = time.time()
        while time.time() - began < 30:
            if self.nginx.poll() is not None:
                raise RuntimeError(
                    f"nginx exited: {(self.folder / 'log' / 'nginx-out.log').read_text()}"
                )
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=2)
            try:
                connection.request("GET", "/")
                connection.getresponse()  # the 301 to https: nginx is up
                return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        raise RuntimeError("nginx did not start within 30 s")

    def write_nginx_conf(self, ports):
        """digits.conf for these instances (nginx reads it at its start or on SIGHUP)."""
        conf = render_nginx(
            ports,
            self.http_port,
            self.https_port,
            self.folder,
            corrections_rate=self.corrections_rate,
        )
        (self.folder / "digits.conf").write_text(conf)

    def make_certificate(self):
        """A self-signed certificate for 127.0.0.1, where deploy's config expects a real one."""
        tls = self.folder / "tls"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(tls / "privkey.pem"),
                "-out",
                str(tls / "fullchain.pem"),
            ],
            check=True,
            capture_output=True,
        )

    def count(self, query):
        """One number from the shared database (e.g. how many corrections it holds)."""
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(query).fetchone()[0]

    def checkpoint(self):
        """Have PostgreSQL write a checkpoint now (it otherwise does every 5 minutes)."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")

    def nginx_pids(self):
        if self.nginx is None or self.nginx.poll() is not None:
            return []
        return [self.nginx.pid, *children(self.nginx.pid)]

    def postgres_pids(self):
        pid_file = self.cluster.data / "postmaster.pid"
        try:
            master = int(pid_file.read_text().split()[0])
        except (OSError, IndexError, ValueError):
            return []
        return [master, *children(master)]

    def stop(self):
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=20)
        for instance in self.instances:
            instance.stop()
        self.cluster.remove()

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
