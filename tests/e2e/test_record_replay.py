"""Recordings, replays, templates and push through the real CLI, as the guide types them."""
import json
import re
import subprocess
import time

from conftest import Daemon, KAPACITOR
from test_getting_started import curl_write, define_guide_task, wait_alerts

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
