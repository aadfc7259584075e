"""The getting-started guide's stream flow, typed as written, against the real binaries."""
import json
import signal
import subprocess
import time

from influxdb import InfluxDBClient

CPU_ALERT = """stream
    // Select just the cpu measurement from our example database.
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage_idle" <  70)
        // Whenever we get an alert write it to a file.
        .log('{log}')
"""

SIGMA_ALERT = """stream
    |from()
        .measurement('cpu')
    |alert()
        // Compare values to running mean and standard deviation
        .crit(lambda: sigma("usage_idle") > 3)
        .log('{log}')
"""


def curl_write(daemon, body, query="db=kapacitor_example&rp=autogen"):
    r = subprocess.run(
        ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-XPOST", f"{daemon.url}/write?{query}",
         "--data-binary", body],
        capture_output=True, text=True, timeout=30, check=True,
    )
    text, _, code = r.stdout.rpartition("\n")
    return int(code), text


def read_alerts(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def wait_alerts(path, n, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        alerts = read_alerts(path)
        if len(alerts) >= n:
            return alerts
        time.sleep(0.05)
    return read_alerts(path)


def define_guide_task(daemon, tmp_path, script=CPU_ALERT):
    log = tmp_path / "alerts.log"
    (tmp_path / "cpu_alert.tick").write_text(script.format(log=log))
    daemon.cli("define", "cpu_alert", "-type", "stream", "-tick", "cpu_alert.tick",
               "-dbrp", "kapacitor_example.autogen")
    return log


def test_stream_alert_end_to_end(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    daemon.cli("enable", "cpu_alert")

    code, body = curl_write(daemon, "cpu,cpu=cpu-total,host=serverA usage_idle=95 1000000000\n"
                                    "cpu,cpu=cpu-total,host=serverA usage_idle=45 2000000000")
    assert code == 204, body
    client = InfluxDBClient(host="127.0.0.1", port=int(daemon.url.rsplit(":", 1)[1]), database="kapacitor_example")
    assert client.write_points(
        [{"measurement": "cpu", "tags": {"cpu": "cpu-total", "host": "serverA"},
          "time": "1970-01-01T00:00:03Z", "fields": {"usage_idle": 30.5}}],
        retention_policy="autogen", time_precision="s")

    alerts = wait_alerts(log, 2)
    assert [a["level"] for a in alerts] == ["CRITICAL", "CRITICAL"]
    first = alerts[0]
    assert list(first.keys()) == ["id", "message", "details", "time", "duration", "level", "data",
                                  "previousLevel", "recoverable"]
    assert first["id"] == "cpu:nil"
    assert first["message"] == "cpu:nil is CRITICAL"
    assert first["time"] == "1970-01-01T00:00:02Z"
    assert first["previousLevel"] == "OK"
    assert first["recoverable"] is True
    assert first["data"] == {"series": [{"name": "cpu", "tags": {"cpu": "cpu-total", "host": "serverA"},
                                         "columns": ["time", "usage_idle"],
                                         "values": [["1970-01-01T00:00:02Z", 45]]}]}
    assert alerts[1]["duration"] == 1_000_000_000
    raw = log.read_text().splitlines()[0]
    assert '"details":"{\\u0026#34;Name\\u0026#34;:\\u0026#34;cpu\\u0026#34;' in raw

    show = daemon.cli("show", "cpu_alert").stdout
    assert "ID: cpu_alert" in show
    assert "Type: stream" in show
    assert "Executing: true" in show
    assert 'Databases Retention Policies: ["kapacitor_example"."autogen"]' in show
    # show asks for script-format=formatted, as Kapacitor's CLI does.
    assert '.crit(lambda: "usage_idle" < 70)' in show
    assert 'stream0 -> from1 [processed="3"];' in show
    assert 'from1 -> alert2 [processed="3"];' in show
    assert 'alerts_triggered="2"' in show


def test_sigma_variant_redefined_without_type(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    daemon.cli("enable", "cpu_alert")
    (tmp_path / "cpu_alert.tick").write_text(SIGMA_ALERT.format(log=log))
    # The guide redefines with just the task name and -tick: type and dbrp are kept,
    # and an enabled task is reloaded.
    daemon.cli("define", "cpu_alert", "-tick", "cpu_alert.tick")
    lines = "\n".join(f"cpu,host=a usage_idle={90 + i % 3} {i}000000000" for i in range(1, 41))
    assert curl_write(daemon, lines)[0] == 204
    assert read_alerts(log) == []
    assert curl_write(daemon, "cpu,host=a usage_idle=5 50000000000")[0] == 204
    alerts = wait_alerts(log, 1)
    assert len(alerts) == 1 and alerts[0]["level"] == "CRITICAL"
    assert "sigma" in daemon.cli("show", "cpu_alert").stdout


def test_restart_keeps_task_enabled_and_alerting(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    daemon.cli("enable", "cpu_alert")
    assert daemon.stop(signal.SIGTERM) == 0
    daemon.start()
    show = daemon.cli("show", "cpu_alert").stdout
    assert "Executing: true" in show
    assert curl_write(daemon, "cpu,host=a usage_idle=10 1000000000")[0] == 204
    assert len(wait_alerts(log, 1)) == 1
    # Also after kill -9.
    daemon.stop(signal.SIGKILL)
    daemon.start()
    assert curl_write(daemon, "cpu,host=a usage_idle=11 2000000000")[0] == 204
    assert len(wait_alerts(log, 2)) == 2


def test_syntax_error_is_refused_and_nothing_stored(daemon, tmp_path):
    (tmp_path / "bad.tick").write_text("stream\n    |from()\n        .measurement('cpu'\n    |alert()\n")
    r = daemon.cli("define", "bad", "-type", "stream", "-tick", "bad.tick", "-dbrp", "db.rp", check=False)
    assert r.returncode != 0
    assert "line 4 char 5" in r.stderr + r.stdout
    listing = daemon.cli("list", "tasks").stdout
    assert "bad" not in listing.split()


def test_partial_write_keeps_good_lines(daemon, tmp_path):
    (tmp_path / "out.tick").write_text("stream|from().measurement('cpu')|httpOut('out')\n")
    daemon.cli("define", "out", "-tick", "out.tick", "-dbrp", "db.rp")
    daemon.cli("enable", "out")
    code, body = curl_write(daemon, "cpu value=1 1000000000\ncpu value= 2000000000\ncpu value=3 3000000000",
                            query="db=db&rp=rp")
    assert code == 400
    err = json.loads(body)["error"]
    assert err.startswith("partial write:"), err
    assert "line 2" in err and "dropped=1" in err
    with __import__("urllib.request").request.urlopen(daemon.url + "/kapacitor/v1/tasks/out/out") as r:
        out = json.load(r)
    assert out["series"][0]["values"] == [["1970-01-01T00:00:03Z", 3]]


def test_define_no_reload_keeps_running_script_until_reload(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    daemon.cli("enable", "cpu_alert")
    # Threshold raised to 100: every point would alert once the task is reloaded.
    (tmp_path / "cpu_alert.tick").write_text(CPU_ALERT.format(log=log).replace("<  70", "< 100"))
    daemon.cli("define", "cpu_alert", "-tick", "cpu_alert.tick", "-no-reload")
    assert curl_write(daemon, "cpu,host=a usage_idle=90 1000000000")[0] == 204
    assert read_alerts(log) == []
    daemon.cli("reload", "cpu_alert")
    assert curl_write(daemon, "cpu,host=a usage_idle=91 2000000000")[0] == 204
    alerts = wait_alerts(log, 1)
    assert [a["level"] for a in alerts] == ["CRITICAL"]


def test_disable_stops_alerting_and_delete_removes(daemon, tmp_path):
    log = define_guide_task(daemon, tmp_path)
    daemon.cli("enable", "cpu_alert")
    daemon.cli("disable", "cpu_alert")
    assert "Executing: false" in daemon.cli("show", "cpu_alert").stdout
    assert curl_write(daemon, "cpu,host=a usage_idle=10 1000000000")[0] == 204
    assert read_alerts(log) == []
    daemon.cli("delete", "tasks", "cpu_alert")
    r = daemon.cli("show", "cpu_alert", check=False)
    assert r.returncode != 0
    assert "no task exists" in r.stderr + r.stdout
