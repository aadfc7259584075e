"""The stream conformance corpus (crates/engine/tests/conformance/stream/*.toml), run through
the real daemon: each scenario's task is created over the API, its input recording is written
to /write with the same time re-basing as the in-process harness, and its httpOut endpoint is
read back and compared."""
import json
import os
import re
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
        # Alert bodies and node stats are checked in-process; here only what a client sees on httpOut.
        if "endpoint" not in sc or "pending" in sc:
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


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory):
    d = Daemon(str(tmp_path_factory.mktemp("conformance")))
    d.start()
    yield d
    d.stop()


@pytest.mark.parametrize("name,sc", scenarios())
def test_scenario_through_daemon(shared_daemon, name, sc):
    url = shared_daemon.url
    task = {"id": name, "type": "stream", "dbrps": [{"db": "dbname", "rp": "rpname"}],
            "script": sc["script"], "status": "enabled"}
    code, body = request(url + "/kapacitor/v1/tasks", "POST", json.dumps(task))
    assert code == 200, body
    try:
        for db, rp, lines in writes(os.path.join(ROOT, "data", sc["input"])):
            code, body = request(f"{url}/write?db={db}&rp={rp}&precision=s", "POST", lines)
            assert code == 204, body
        code, body = request(f"{url}/kapacitor/v1/tasks/{name}/{sc['endpoint']}")
        assert code == 200, body
        got, want = json.loads(body), json.loads(sc["expected"])
        if sc.get("ignore_order"):
            got, want = sort_series(got), sort_series(want)
        assert got == want
    finally:
        request(f"{url}/kapacitor/v1/tasks/{name}", "DELETE")
