"""wrk, the HTTP load generator (Debian: apt-get install wrk), driven with a Lua script of
requests, its figures read back as one JSON object.

A script gives the requests as a Lua list of {method, path, body, keyed}: they are sent in
turn, each connection cycling through them. A keyed body has "@KEY@" replaced by a key unique to
the run, the thread and the request (corrections are stored once per key).
"""

import json
import re
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

SCRIPT = """
local requests = {%(requests)s}
local prefix = "%(prefix)s"
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
request = function()
  counter = counter + 1
  if #requests == 0 then return wrk.format("GET", "/api/health") end
  local r = requests[(counter %% #requests) + 1]
  local body = r[3]
  if r[4] then
    body = (string.gsub(body, "@KEY@", string.format("%%s-%%d-%%d", prefix, id or 0, counter)))
  end
  local headers = {}
  if body ~= "" then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, ' ..
    '"read": %%d, "write": %%d, "status": %%d, "timeout": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

# What wrk counts as a failed request: no connection, a broken read or write, no answer within
# --timeout, or an answer of 400 and above.
ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


def script(requests):
    """The Lua script for requests: [(method, path, body text, keyed)] (empty: GET health)."""
    items = ",".join(
        f'{{"{method}", "{path}", [==[{body}]==], {"true" if keyed else "false"}}}'
        for method, path, body, keyed in requests
    )
    return SCRIPT % {"requests": items, "prefix": uuid.uuid4().hex[:12]}


class Run:
    """One wrk run in the background: start(), then result() once it is over."""

    def __init__(self, url, requests, clients, seconds, timeout=5):
        if shutil.which("wrk") is None:
            raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(script(requests))
        self.script = Path(file.name)
        self.clients = clients
        self.command = [
            "wrk",
            "-t",
            str(min(clients, 2)),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            f"{timeout}s",
            "-s",
            str(self.script),
            url,
        ]
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        return self

    def interrupt(self):
        """End the run now (wrk stops on SIGINT and still prints its figures)."""
        self.process.send_signal(signal.SIGINT)

    def result(self):
        """The run's figures: requests, rps, latency percentiles (us), errors by kind and in all."""
        out, err = self.process.communicate()
        self.script.unlink(missing_ok=True)
        if self.process.returncode:
            raise RuntimeError(f"wrk failed: {err.strip() or out.strip()}")
        found = re.search(r"^RESULT (\{.*\})$", out, re.M)
        if found is None:
            raise RuntimeError(f"wrk printed no figures: {out.strip()[-200:]}")
        figures = json.loads(found.group(1))
        figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
        figures["errors"] = sum(figures[kind] for kind in ERROR_KINDS)
        figures["clients"] = self.clients
        return figures


def run(url, requests, clients, seconds):
    """One wrk run, waited for: its figures."""
    return Run(url, requests, clients, seconds).start().result()
