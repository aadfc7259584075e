"""The stream conformance corpus (crates/engine/tests/conformance/stream/*.toml), run through
the real daemon: each scenario's tasks are created over the API, its input recording is written
to /write with the same time re-basing as the in-process harness, and its httpOut endpoint and
the bodies its httpPost nodes send are compared. Scenarios with `ticks` depend on wall time
passing (barriers): their results are polled until they match or a deadline passes."""
import http.server
import json
import os
import re
import threading
import time
import tomllib
import urllib.request

import pytest

from conftest import Daemon

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "engine", "tests", "conformance")
ZERO = 31_536_000  # 1971-01-01T00:00:00Z in seconds


def scenarios():
    out = []
    d = os.path.join(ROOT, "stream")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".toml"):
            continue
        with open(os.path.join(d, name), "rb") as f:
            sc = tomllib.load(f)
        # Alert bodies and node stats are checked in-process; here what a client sees on httpOut
        # and what httpPost sends.
        if ("endpoint" not in sc and "posts" not in sc) or "pending" in sc or "daemon_skip" in sc:
            continue
        out.append(pytest.param(name[:-5], sc, id=name[:-5]))
    return out


def request(url, method="GET", body=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


TS = re.compile(r"^(.*\S)\s+(-?\d+)\s*$")


def writes(path):
    """(db, rp, body) per run of points with the same db/rp, times re-based like the harness."""
    with open(path) as f:
        lines = f.read().splitlines()
    triples = [lines[i:i + 3] for i in range(0, len(lines) - 2, 3)]
    first = None
    runs = []
    for db, rp, line in triples:
        m = TS.match(line)
        t = int(m.group(2))
        if first is None:
            first = t
        point = f"{m.group(1)} {ZERO + t - first}"
        if runs and runs[-1][0] == db and runs[-1][1] == rp:
            runs[-1][2].append(point)
        else:
            runs.append((db, rp, [point]))
    return [(db, rp, "\n".join(points)) for db, rp, points in runs]


def sort_series(v):
    if isinstance(v.get("series"), list):
        v["series"].sort(key=lambda r: json.dumps(r, sort_keys=True))
    return v


class PostSink:
    """A local HTTP server keeping the body of every POST it receives."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                bodies.append(self.rfile.read(n).decode())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self):
        return [json.loads(b) for b in list(self.bodies)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def fill(script, sink):
    return script.replace("{{DATA}}", os.path.abspath(os.path.join(ROOT, "data"))).replace(
        "{{POST_URL}}", sink.url)


def define(url, tid, dbrp, script):
    db, rp = dbrp.split(".", 1)
    task = {"id": tid, "type": "stream", "dbrps": [{"db": db, "rp": rp}],
            "script": script, "status": "enabled"}
    code, body = request(url + "/kapacitor/v1/tasks", "POST", json.dumps(task))
    assert code == 200, body


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory):
    d = Daemon(str(tmp_path_factory.mktemp("conformance")))
    d.start()
    yield d
    d.stop()


@pytest.mark.parametrize("name,sc", scenarios())
def test_scenario_through_daemon(shared_daemon, name, sc):
    url = shared_daemon.url
    sink = PostSink()
    tasks = [(t["id"], t["dbrp"], t["script"]) for t in sc.get("task", [])]
    tasks.append((name, "dbname.rpname", sc["script"]))
    try:
        for tid, dbrp, script in tasks:
            define(url, tid, dbrp, fill(script, sink))
        for db, rp, lines in writes(os.path.join(ROOT, "data", sc["input"])):
            code, body = request(f"{url}/write?db={db}&rp={rp}&precision=s", "POST", lines)
            assert code == 204, body

        def observed():
            got, want = {}, {}
            if "endpoint" in sc:
                owner = sc.get("endpoint_task", name)
                code, body = request(f"{url}/kapacitor/v1/tasks/{owner}/{sc['endpoint']}")
                assert code == 200, body
                got["httpOut"], want["httpOut"] = json.loads(body), json.loads(sc["expected"])
                if sc.get("ignore_order"):
                    sort_series(got["httpOut"])
                    sort_series(want["httpOut"])
            if "posts" in sc:
                got["posts"], want["posts"] = sink.json(), json.loads(sc["posts"])
            return got, want

        # Barriers fire on the wall clock: wait for them (the idle and period barriers of the
        # corpus are at most 10s), without a timing assertion.
        deadline = time.time() + (30 if "ticks" in sc else 10)
        got, want = observed()
        while got != want and time.time() < deadline:
            time.sleep(0.2)
            got, want = observed()
        assert got == want
    finally:
        sink.close()
        for tid, _, _ in tasks:
            request(f"{url}/kapacitor/v1/tasks/{tid}", "DELETE")
