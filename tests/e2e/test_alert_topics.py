"""Topic handlers through the real CLI: define-topic-handler from YAML and JSON, list and
show topics and handlers, delete them; the daemon's alert flows to a topic handler."""
import json
import os
import time

from test_getting_started import curl_write, wait_alerts

TASK = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .id('cpu:{{ index .Tags "host" }}')
        .crit(lambda: "usage_idle" < 70)
        .topic('cpu')
"""


def test_topic_handlers_with_the_cli(daemon, tmp_path):
    log = tmp_path / "topic.log"
    tick = tmp_path / "cpu.tick"
    tick.write_text(TASK)
    daemon.cli("define", "cpu_alert", "-tick", str(tick), "-dbrp", "telegraf.autogen")
    daemon.cli("enable", "cpu_alert")

    spec = tmp_path / "log.yaml"
    spec.write_text(f"topic: cpu\nid: tolog\nkind: log\nmatch: changed()\noptions:\n  path: {log}\n")
    daemon.cli("define-topic-handler", str(spec))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"topic": "cpu", "id": "fwd", "kind": "publish", "options": {"topics": ["ops"]}}))
    daemon.cli("define-topic-handler", str(other))
    # Defining it again replaces it.
    daemon.cli("define-topic-handler", str(other))

    code, _ = curl_write(daemon, "cpu,host=web01 usage_idle=50 10", "db=telegraf&rp=autogen&precision=s")
    assert code == 204
    alerts = wait_alerts(str(log), 1)
    assert [(a["id"], a["level"]) for a in alerts] == [("cpu:web01", "CRITICAL")]

    out = daemon.cli("list", "topics").stdout
    assert out == (
        "ID  Level     Collected\n"
        "cpu CRITICAL          1\n"
        "ops CRITICAL          1\n"
    ), out
    out = daemon.cli("list", "topic-handlers", "cpu").stdout
    assert out == (
        "Topic      ID         Kind       \n"
        "cpu        fwd        publish    \n"
        "cpu        tolog      log        \n"
    ), out
    out = daemon.cli("show-topic-handler", "cpu", "tolog").stdout
    assert out == f'ID: tolog\nTopic: cpu\nKind: log\nMatch: changed()\nOptions: {{"path":"{log}"}}\n', out
    out = daemon.cli("show-topic", "cpu").stdout
    lines = out.splitlines()
    assert lines[:5] == ["ID: cpu", "Level: CRITICAL", "Collected: 1", "Handlers: [fwd, tolog]", "Events:"], out
    assert lines[5].startswith("Event     Level    Message               Date")
    assert lines[6].startswith("cpu:web01 CRITICAL cpu:web01 is CRITICAL ")

    r = daemon.cli("show-topic", "nope", check=False)
    assert r.returncode != 0 and 'unknown topic: "nope"' in r.stderr
    r = daemon.cli("define-topic-handler", check=False)
    assert r.returncode == 2 and r.stderr.startswith("Must provide a path to a handler file.")

    daemon.cli("delete", "topic-handlers", "cpu", "f*")
    assert daemon.cli("list", "topic-handlers", "cpu").stdout.splitlines()[1:] == [
        "cpu        tolog      log        "
    ]
    daemon.cli("delete", "topics", "ops")
    assert "ops" not in daemon.cli("list", "topics").stdout
