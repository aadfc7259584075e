"""Recordings, replays, templates and push through the real CLI, as the guide types them."""
import json
import signal
import re
import subprocess
import time

from conftest import Daemon, KAPACITOR
from test_getting_started import curl_write, define_guide_task, wait_alerts
from test_batch_influxdb import influxd  # noqa: F401 (fixture)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def cli_background(daemon, *args):
    env = {"KAPACITOR_URL": daemon.url, "PATH": "/usr/bin:/bin"}
    return subprocess.Popen([KAPACITOR, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_record_then_replay_as_in_the_guide(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    rec = cli_background(daemon, "record", "stream", "-task", "cpu_alert", "-duration", "2s")
    # Give the recording a moment to start, then write while it runs.
    deadline = time.time() + 10
    while time.time() < deadline:
        if "running" in daemon.cli("list", "recordings").stdout:
            break
        time.sleep(0.05)
    now = time.time_ns()
    body = "\n".join(f"cpu,cpu=cpu-total,host=serverA usage_idle={v} {now + i * 10**9}"
                     for i, v in enumerate([95, 45, 90, 60]))
    code, text = curl_write(daemon, body)
    assert code == 204, text
    out, err = rec.communicate(timeout=30)
    assert rec.returncode == 0, err
    rid = out.strip()
    assert UUID_RE.match(rid), out

    listing = daemon.cli("list", "recordings", rid).stdout.splitlines()
    assert listing[0].split() == ["ID", "Type", "Status", "Size", "Date"]
    row = listing[1].split()
    assert row[:3] == [rid, "stream", "finished"]
    assert row[4] == "B" or row[4].endswith("B")

    r = daemon.cli("replay", "-recording", rid, "-task", "cpu_alert")
    replay_id = r.stdout.strip()
    assert UUID_RE.match(replay_id), r.stdout
    alerts = wait_alerts(log, 3)
    assert [a["level"] for a in alerts] == ["CRITICAL", "OK", "CRITICAL"]

    r = daemon.cli("replay", "-recording", rid, "-task", "cpu_alert", "-replay-id", "again",
                   "-rec-time", "-no-wait")
    assert r.stdout == "again\n"
    deadline = time.time() + 20
    while time.time() < deadline and "running" in daemon.cli("list", "replays", "again").stdout:
        time.sleep(0.1)
    rows = daemon.cli("list", "replays").stdout.splitlines()
    assert rows[0].split() == ["ID", "Task", "Recording", "Status", "Clock", "Date"]
    assert sorted(r.split()[0] for r in rows[1:]) == sorted(["again", replay_id])
    assert all(r.split()[1:5] == ["cpu_alert", rid, "finished", "fast"] for r in rows[1:])

    r = daemon.cli("replay", "-recording", "nope", "-task", "cpu_alert", check=False)
    assert r.returncode == 3
    assert r.stderr == "no recording exists\n"
    r = daemon.cli("replay", "-task", "cpu_alert", check=False)
    assert r.returncode == 3
    assert r.stderr.endswith("must pass recording ID\n")

    daemon.cli("delete", "replays", "*")
    daemon.cli("delete", "recordings", rid)
    assert len(daemon.cli("list", "recordings").stdout.splitlines()) == 1
    assert len(daemon.cli("list", "replays").stdout.splitlines()) == 1


TEMPLATE = """// Which measurement to consume
var measurement string
// Optional where filter
var where_filter = lambda: TRUE
// Optional list of group by dimensions
var groups = [*]
// Which field to process
var field string
// Warning criteria, has access to 'mean' field
var warn lambda
// Critical criteria, has access to 'mean' field
var crit lambda
// How much data to window
var window = 5m
// The slack channel for alerts
var slack_channel = '#alerts'

stream
    |from()
        .measurement(measurement)
        .where(where_filter)
        .groupBy(groups)
    |window()
        .period(window)
        .every(window)
    |mean(field)
    |alert()
         .warn(warn)
         .crit(crit)
"""


def test_templates_with_the_cli(daemon, tmp_path):
    (tmp_path / "generic_mean_alert.tick").write_text(TEMPLATE)
    daemon.cli("define-template", "generic_mean_alert", "-tick", "generic_mean_alert.tick", "-type", "stream")
    out = daemon.cli("show-template", "generic_mean_alert").stdout
    assert out.startswith("ID: generic_mean_alert\nError: \nType: stream\n"), out
    assert re.search(r"^measurement\s+string\s+<required>\s+Which measurement to consume", out, re.M), out
    assert re.search(r"^window\s+duration\s+5m0s\s+How much data to window", out, re.M), out

    rows = daemon.cli("list", "templates").stdout.splitlines()
    assert rows[0].split() == ["ID", "Type", "Vars"]
    assert rows[1].split() == ["generic_mean_alert", "stream",
                               "crit,field,groups,measurement,slack_channel,warn,where_filter,window"]

    (tmp_path / "cpu_vars.json").write_text(json.dumps({
        "measurement": {"type": "string", "value": "cpu"},
        "where_filter": {"type": "lambda", "value": "\"cpu\" == 'cpu-total'"},
        "groups": {"type": "list", "value": [{"type": "string", "value": "host"}]},
        "field": {"type": "string", "value": "usage_idle"},
        "warn": {"type": "lambda", "value": "\"mean\" < 30.0"},
        "crit": {"type": "lambda", "value": "\"mean\" < 10.0"},
        "window": {"type": "duration", "value": "1m"},
    }))
    daemon.cli("define", "cpu_alert", "-template", "generic_mean_alert", "-vars", "cpu_vars.json",
               "-dbrp", "telegraf.autogen")
    out = daemon.cli("show", "cpu_alert").stdout
    assert "Template: generic_mean_alert\n" in out
    assert re.search(r"^window\s+duration\s+1m0s", out, re.M), out

    daemon.cli("delete", "templates", "generic_*")
    assert daemon.cli("list", "templates").stdout.splitlines()[1:] == []
    r = daemon.cli("show-template", "generic_mean_alert", check=False)
    assert (r.returncode, r.stderr) == (3, "no template exists\n")


def test_push_copies_tasks_and_templates(daemon, tmp_path):
    remote_dir = tmp_path / "remote"
    remote_dir.mkdir()
    remote = Daemon(str(remote_dir))
    remote.start()
    try:
        (tmp_path / "t.tick").write_text("var threshold = 70\nstream\n    |from()\n        .measurement('cpu')\n"
                                         "    |alert()\n        .crit(lambda: \"usage_idle\" < threshold)\n")
        daemon.cli("define-template", "tpl", "-tick", "t.tick")
        (tmp_path / "vars.json").write_text(json.dumps({"threshold": {"type": "int", "value": 50}}))
        daemon.cli("define", "from_tpl", "-template", "tpl", "-vars", "vars.json", "-dbrp", "telegraf.autogen")
        define_guide_task(daemon, tmp_path)
        daemon.cli("enable", "cpu_alert")

        daemon.cli("push", "-remote", remote.url, "cpu_alert", "from_*")
        rows = remote.cli("list", "tasks").stdout.splitlines()
        assert [r.split()[:4] for r in rows[1:]] == [["cpu_alert", "stream", "enabled", "true"],
                                                     ["from_tpl", "stream", "disabled", "false"]]
        assert "Template: tpl\n" in remote.cli("show", "from_tpl").stdout
        assert remote.cli("list", "templates").stdout.splitlines()[1].split()[0] == "tpl"
        local_script = daemon.cli("show", "cpu_alert").stdout.split("TICKscript:")[1].split("DOT:")[0]
        remote_script = remote.cli("show", "cpu_alert").stdout.split("TICKscript:")[1].split("DOT:")[0]
        assert local_script == remote_script

        # Pushing again updates in place.
        daemon.cli("push", "-remote", remote.url, "cpu_alert")

        r = daemon.cli("push", "-remote", remote.url, "missing", check=False)
        assert (r.returncode, r.stderr) == (3, 'no task matches "missing"\n')
        r = daemon.cli("push", "-remote", "http://127.0.0.1:1", "cpu_alert", check=False)
        assert r.returncode == 4, r.stderr
        assert "http://127.0.0.1:1" in r.stderr
        r = daemon.cli("push", "cpu_alert", check=False)
        assert r.returncode == 2
    finally:
        remote.stop()


BATCH_TASK = """batch
    |query('''
        SELECT mean(usage_idle)
        FROM "kapacitor_example"."autogen"."cpu"
    ''')
        .period(1m)
        .every(1m)
        .groupBy(time(1m))
    |alert()
        .crit(lambda: "mean" < 70)
        .log('{log}')
"""


def test_batch_and_query_recordings_from_influxdb(influxd, tmp_path):
    from test_batch_influxdb import InfluxDaemon

    port, client = influxd
    client.create_database("kapacitor_example")
    # 20 minutes of data: usage_idle 50 (critical) in even minutes, 90 in odd ones.
    minute = 60 * 10**9
    now = time.time_ns()
    base = now - now % minute - 20 * minute
    client.write_points(
        [f"cpu,host=serverA,cpu=cpu-total usage_idle={50 if i % 2 == 0 else 90} {base + i * minute + 10**9}"
         for i in range(20)],
        database="kapacitor_example", protocol="line", time_precision="n",
    )
    daemon = InfluxDaemon(str(tmp_path), port)
    daemon.start()
    try:
        log = tmp_path / "alerts.log"
        (tmp_path / "b.tick").write_text(BATCH_TASK.format(log=log))
        daemon.cli("define", "batch_cpu_alert", "-type", "batch", "-tick", "b.tick",
                   "-dbrp", "kapacitor_example.autogen")
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base / 1e9))
        stop = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((base + 20 * minute) / 1e9))
        r = daemon.cli("record", "batch", "-task", "batch_cpu_alert", "-start", start, "-stop", stop,
                       "-recording-id", "b20")
        assert r.stdout == "b20\n"
        rows = daemon.cli("list", "recordings", "b20").stdout.splitlines()
        assert rows[1].split()[:3] == ["b20", "batch", "finished"], rows
        assert (tmp_path / "replay" / "b20.brpl").read_bytes()[:4] == b"PK\x03\x04"

        daemon.cli("replay", "-task", "batch_cpu_alert", "-recording", "b20", "-rec-time")
        alerts = wait_alerts(log, 10)
        # One critical mean per even minute, an OK after each one.
        levels = [a["level"] for a in alerts]
        assert levels.count("CRITICAL") == 10, levels
        assert all(a["data"]["series"][0]["values"][0][1] == 50 for a in alerts if a["level"] == "CRITICAL")

        r = daemon.cli("record", "query", "-type", "stream", "-recording-id", "q1", "-query",
                       f'SELECT usage_idle FROM "kapacitor_example"."autogen"."cpu" WHERE time >= {base}')
        assert r.stdout == "q1\n"
        assert daemon.cli("list", "recordings", "q1").stdout.splitlines()[1].split()[:3] == ["q1", "stream", "finished"]
        import gzip
        lines = gzip.decompress((tmp_path / "replay" / "q1.srpl").read_bytes()).decode().splitlines()
        assert len(lines) == 60 and lines[:2] == ["kapacitor_example", "autogen"], lines[:6]
        # No GROUP BY: InfluxDB answers without the tags, as it does for Kapacitor.
        assert lines[2].startswith("cpu usage_idle=50 "), lines[2]

        r = daemon.cli("record", "query", "-type", "batch", "-recording-id", "q2", "-query",
                       f'SELECT mean(usage_idle) FROM "kapacitor_example"."autogen"."cpu" WHERE time >= {base} GROUP BY time(10m)')
        assert r.stdout == "q2\n"
        assert daemon.cli("list", "recordings", "q2").stdout.splitlines()[1].split()[:3] == ["q2", "batch", "finished"]

        # replay-live: the same data straight from InfluxDB, without a recording.
        log.write_text("")
        r = daemon.cli("replay-live", "batch", "-task", "batch_cpu_alert", "-start", start, "-stop", stop,
                       "-rec-time", "-replay-id", "live1")
        assert r.stdout == "live1\n"
        alerts = wait_alerts(log, 10)
        assert [a["level"] for a in alerts].count("CRITICAL") == 10
        log.write_text("")
        r = daemon.cli("replay-live", "query", "-task", "batch_cpu_alert", "-rec-time", "-replay-id", "live2",
                       "-query", f'SELECT mean(usage_idle) FROM "kapacitor_example"."autogen"."cpu" '
                                 f'WHERE time >= {base} AND time < {base + 2 * minute} GROUP BY time(1m)')
        assert r.stdout == "live2\n"
        alerts = wait_alerts(log, 1)
        assert [a["level"] for a in alerts] == ["CRITICAL"], alerts
        rows = daemon.cli("list", "replays", "live*").stdout.splitlines()
        assert [r.split()[0] for r in rows[1:]] == ["live1", "live2"]

        r = daemon.cli("record", "batch", "-task", "nope", "-past", "1h", check=False)
        assert (r.returncode, r.stderr) == (3, "no task exists\n")
    finally:
        daemon.stop(signal.SIGKILL)
