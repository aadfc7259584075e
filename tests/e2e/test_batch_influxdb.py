"""The getting-started guide's batch flow, typed as written (except `.every(1s)` instead of
5m so the test does not wait), against the real binaries and a real InfluxDB 1.x."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest
from influxdb import InfluxDBClient

from conftest import Daemon

BATCH_CPU_ALERT = """batch
    |query('''
        SELECT mean(usage_idle)
        FROM "kapacitor_example"."autogen"."cpu"
    ''')
        .period(5m)
        .every(1s)
        .groupBy(time(1m))
    |alert()
        .crit(lambda: "mean" < 70)
        .log('{log}')
"""

PORT_RE = re.compile(r'msg="Listening on HTTP".*addr=127\.0\.0\.1:(\d+)')


@pytest.fixture
def influxd(tmp_path):
    if shutil.which("influxd") is None:
        pytest.skip("influxd is not installed (scripts/test installs the Debian package influxdb)")
    d = tmp_path / "influxd"
    d.mkdir()
    log_path = d / "influxd.log"
    env = dict(
        os.environ,
        INFLUXDB_REPORTING_DISABLED="true",
        INFLUXDB_BIND_ADDRESS="127.0.0.1:0",
        INFLUXDB_META_DIR=str(d / "meta"),
        INFLUXDB_DATA_DIR=str(d / "data"),
        INFLUXDB_DATA_WAL_DIR=str(d / "wal"),
        INFLUXDB_HTTP_BIND_ADDRESS="127.0.0.1:0",
        INFLUXDB_HTTP_LOG_ENABLED="false",
        INFLUXDB_MONITOR_STORE_ENABLED="false",
    )
    log = open(log_path, "w")
    proc = subprocess.Popen(["influxd", "run", "-config", "/dev/null"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.time() + 30
        port = None
        while port is None:
            assert proc.poll() is None, log_path.read_text()
            assert time.time() < deadline, "influxd did not start:\n" + log_path.read_text()
            m = PORT_RE.search(log_path.read_text())
            if m:
                port = int(m.group(1))
            else:
                time.sleep(0.05)
        client = InfluxDBClient(host="127.0.0.1", port=port)
        while True:
            try:
                client.ping()
                break
            except Exception:
                assert time.time() < deadline
                time.sleep(0.05)
        yield port, client
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class InfluxDaemon(Daemon):
    def __init__(self, workdir, influx_port):
        super().__init__(workdir)
        self.influx_port = influx_port

    def env(self):
        env = super().env()
        env.update(
            KAPACITOR_INFLUXDB_0_ENABLED="true",
            KAPACITOR_INFLUXDB_0_URLS_0=f"http://127.0.0.1:{self.influx_port}",
            KAPACITOR_INFLUXDB_0_DISABLE_SUBSCRIPTIONS="true",
        )
        return env


def test_guide_batch_task_alerts_from_influxdb(influxd, tmp_path):
    port, client = influxd
    client.create_database("kapacitor_example")
    now = time.time_ns()
    client.write_points(
        [f"cpu,host=serverA,cpu=cpu-total usage_idle={40 + i} {now - (120 - i * 10) * 10**9}" for i in range(12)],
        database="kapacitor_example",
        protocol="line",
        time_precision="n",
    )
    daemon = InfluxDaemon(str(tmp_path), port)
    daemon.start()
    try:
        log = tmp_path / "alerts.log"
        tick = tmp_path / "batch_cpu_alert.tick"
        tick.write_text(BATCH_CPU_ALERT.format(log=log))
        daemon.cli("define", "batch_cpu_alert", "-type", "batch", "-tick", str(tick), "-dbrp", "kapacitor_example.autogen")
        daemon.cli("enable", "batch_cpu_alert")
        deadline = time.time() + 60
        while not (log.exists() and '"level":"CRITICAL"' in log.read_text()):
            assert time.time() < deadline, "no alert; kapacitord log:\n" + daemon.log()
            time.sleep(0.1)
        first = json.loads(log.read_text().splitlines()[0])
        assert first["id"] == "cpu:nil"
        assert first["data"]["series"][0]["columns"] == ["time", "mean"]
        show = daemon.cli("show", "batch_cpu_alert").stdout
        assert "Type: batch" in show
        assert "query1" in show and "batches_queried=" in show
        assert re.search(r'batches_queried="[1-9]', show), show
    finally:
        daemon.stop(signal.SIGKILL)
