"""deploy/ is what is tested: the nginx config, the systemd unit and the settings file that
harness.topology runs are the shipped ones, and the Dockerfile and compose.yaml (which cannot
run here) name the same command, ports and settings."""

import difflib
import shlex

import yaml

from harness import topology
from webapp import settings

ROOT = topology.ROOT


def test_the_rendered_nginx_config_changes_only_ports_certificate_and_log_paths(tmp_path):
    original = topology.NGINX_CONF.read_text()
    rendered = topology.render_nginx([41001, 41002, 41003], 41080, 41443, tmp_path)
    changed = [
        line[1:]
        for line in difflib.unified_diff(original.splitlines(), rendered.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    allowed = ("server 127.0.0.1:", "listen ", "ssl_certificate", "access_log")
    assert changed and all(line.strip().startswith(allowed) for line in changed)
    assert "127.0.0.1:41003 max_fails" in rendered and "listen 127.0.0.1:41443 ssl" in rendered
    assert "/etc/ssl" not in rendered and "/var/log" not in rendered


def test_a_benchmark_may_lift_nginxs_corrections_limit_and_nothing_else(tmp_path):
    plain = topology.render_nginx([1, 2, 3], 4, 5, tmp_path)
    lifted = topology.render_nginx([1, 2, 3], 4, 5, tmp_path, corrections_rate="9000r/m")
    assert plain.replace("rate=30r/m;", "rate=9000r/m;") == lifted


def test_with_fewer_instances_only_their_upstreams_remain(tmp_path):
    rendered = topology.render_nginx([41001], 41080, 41443, tmp_path)
    assert rendered.count("    server 127.0.0.1:") == 1 and "8002" not in rendered


def test_a_deploy_config_that_drifted_from_the_tested_one_is_refused(tmp_path):
    drifted = topology.NGINX_CONF.read_text().replace("listen 443 ssl http2;", "listen 8443 ssl;")
    try:
        topology.render_nginx([1, 2, 3], 4, 5, tmp_path, text=drifted)
    except ValueError as exc:
        assert "listen 443 ssl http2" in str(exc)
    else:
        raise AssertionError("a drifted config was rendered")


def upstream_ports():
    text = topology.NGINX_CONF.read_text()
    return [
        int(line.split(":")[1].split()[0])
        for line in text.splitlines()
        if "server 127.0.0.1:" in line
    ]


def test_the_upstreams_are_the_units_instances():
    assert upstream_ports() == list(topology.DEPLOY_PORTS)


def test_the_settings_file_names_only_real_settings_with_good_values():
    found = topology.env_file()
    known = {s.env for s in settings.SETTINGS}
    assert set(found) <= known, set(found) - known
    config = {**settings.defaults(), **settings.from_environment(found)}
    settings.check(config)  # raises on a bad value
    assert config["PROXIES"] == 1 and config["DATABASE_URL"].startswith("postgresql://")


def test_the_unit_runs_the_server_as_its_own_user_and_restarts_it():
    unit = topology.unit_service()
    command = shlex.split(unit["ExecStart"][0])
    assert command[1:] == ["-m", "webapp"] and command[0].endswith("/python")
    assert unit["Restart"] == ["always"] and unit["KillSignal"] == ["SIGTERM"]
    assert unit["User"] == ["digits"] and unit["EnvironmentFile"] == ["/etc/digits/digits.env"]
    environment = topology.instance_environment(8002, settings={})
    assert environment == {"DIGITS_PORT": "8002", "PROMETHEUS_MULTIPROC_DIR": "/run/digits-8002"}


def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_same_instances_command_and_settings_as_the_unit():
    services = compose()["services"]
    unit_command = shlex.split(topology.unit_service()["ExecStart"][0])
    apps = {name: s for name, s in services.items() if name.startswith("app-")}
    assert sorted(int(s["environment"]["DIGITS_PORT"]) for s in apps.values()) == list(
        topology.DEPLOY_PORTS
    )
    for service in apps.values():
        port = int(service["environment"]["DIGITS_PORT"])
        # The unit's own Environment= lines, the instance's port put in.
        assert service["environment"] == topology.instance_environment(port, settings={})
        assert service["command"][0] == "python" and service["command"][1:] == unit_command[1:]
        assert service["env_file"] == "deploy/digits.env"
        assert service["network_mode"] == "host"


def test_compose_nginx_and_postgres_are_the_tested_ones():
    services = compose()["services"]
    mounts = services["nginx"]["volumes"]
    assert "./deploy/nginx/digits.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    assert any(m.endswith(":/etc/ssl/digits:ro") for m in mounts)
    # The database URL in the settings file names compose's PostgreSQL.
    url = topology.env_file()["DIGITS_DATABASE_URL"]
    postgres = services["postgres"]
    assert f"@127.0.0.1:{postgres['command'][-1].split('=')[1]}/" in url
    user, database = (
        postgres["environment"]["POSTGRES_USER"],
        postgres["environment"]["POSTGRES_DB"],
    )
    assert url == f"postgresql://{user}@127.0.0.1:5432/{database}"


def test_the_image_runs_the_units_command_with_what_the_server_reads():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    cmd = [line for line in lines if line.startswith("CMD ")]
    assert cmd == ['CMD ["python", "-m", "webapp"]']
    copied = {line.split()[1] for line in lines if line.startswith("COPY ")}
    # The server's own imports and files: the web layer, the core, the page, the model.
    assert {
        "requirements/serve.txt",
        "recognition",
        "webapp",
        "static",
        "templates",
        "models",
    } <= copied
    assert any("/api/ready" in line for line in lines)
    # The serving lock alone, hashes required: no torch, nor training's or the tests' packages.
    installs = [line for line in lines if "pip install" in line]
    assert installs == ["RUN pip install --no-cache-dir --require-hashes -r requirements/serve.txt"]
    assert not any(
        name.startswith("requirements") and name != "requirements/serve.txt" for name in copied
    )
