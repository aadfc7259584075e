"""Fixtures that run the real kapacitord on 127.0.0.1 with a kernel-chosen port and
drive it with the real kapacitor CLI, curl and the Python influxdb client."""
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

KAPACITORD = os.environ.get("KAPACITORD_BIN", "target/debug/kapacitord")
KAPACITOR = os.environ.get("KAPACITOR_BIN", "target/debug/kapacitor")
ADDR_RE = re.compile(r"addr=\"?127\.0\.0\.1:(\d+)")


class Daemon:
    """One kapacitord process; started from a config file written by `kapacitord config`."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.url = None
        self.log_path = os.path.join(workdir, "kapacitord.log")
        self.conf = os.path.join(workdir, "kapacitor.conf")
        with open(self.conf, "w") as f:
            subprocess.run([KAPACITORD, "config"], stdout=f, check=True, timeout=30)

    def env(self):
        env = dict(os.environ)
        env.update(
            KAPACITOR_HTTP_BIND_ADDRESS="127.0.0.1:0",
            KAPACITOR_DATA_DIR=os.path.join(self.workdir, "data"),
            KAPACITOR_STORAGE_BOLTDB=os.path.join(self.workdir, "data", "kapacitor.db"),
            KAPACITOR_REPLAY_DIR=os.path.join(self.workdir, "replay"),
            KAPACITOR_LOAD_ENABLED="false",
            KAPACITOR_INFLUXDB_0_ENABLED="false",
        )
        return env

    def start(self):
        log = open(self.log_path, "a")
        start = log.tell()
        self.proc = subprocess.Popen(
            [KAPACITORD, "-config", self.conf], stdout=log, stderr=subprocess.STDOUT, env=self.env()
        )
        deadline = time.time() + 20
        port = None
        while time.time() < deadline and port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("kapacitord exited early:\n" + self.log())
            with open(self.log_path) as f:
                f.seek(start)
                m = ADDR_RE.search(f.read())
            if m:
                port = m.group(1)
            else:
                time.sleep(0.05)
        if port is None:
            raise RuntimeError("kapacitord did not report its address:\n" + self.log())
        self.url = f"http://127.0.0.1:{port}"
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/kapacitor/v1/ping", timeout=1) as r:
                    if r.status == 204:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kapacitord did not answer ping:\n" + self.log())

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode if self.proc else None
        self.proc = None
        return code

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def cli(self, *args, check=True, cwd=None):
        env = dict(os.environ, KAPACITOR_URL=self.url)
        r = subprocess.run(
            [KAPACITOR, *args], cwd=cwd or self.workdir, env=env, capture_output=True, text=True, timeout=30
        )
        if check and r.returncode != 0:
            raise AssertionError(f"kapacitor {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(str(tmp_path))
    d.start()
    try:
        yield d
    finally:
        d.stop(signal.SIGKILL)
