"""Start HLED as it runs in production, on loopback: app servers behind the nginx cache.

`Cluster` starts N gunicorn app servers (each with its own workers) sharing one database and
one Redis, and nginx in front of them configured from deploy/nginx.conf.in. The cluster
benchmark (bench/cluster_bench.py) and tests/test_proxy.py use it. Everything binds to 127.0.0.1
on free ports and is stopped by `stop()` (or on leaving the `with` block).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_nginx import write as write_nginx_conf  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary():
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None,
    )


def wait_until_ready(url, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            pass  # up, but not ready yet (e.g. /readyz while a service starts)
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up:\n{Path(log).read_text()[-4000:]}")
        time.sleep(0.2)


class AppServer:
    """One gunicorn app server (a master and its workers) on a free loopback port."""

    def __init__(self, env, workers, log_dir, name):
        self.port = free_port()
        self.name = name
        self.log = Path(log_dir) / f"{name}.log"
        self.access_log = Path(log_dir) / f"{name}-access.log"
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        # Each server's access log in the run directory, unless the environment says (an
        # empty GUNICORN_ACCESS_LOG turns it off, as benchmarks do).
        self.env.setdefault("GUNICORN_ACCESS_LOG", str(self.access_log))
        self.process = None
        self.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    @property
    def base(self):
        return f"http://{self.address}"

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn"))],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_ready(self.base + "/healthz", self.process, self.log)

    def worker_pids(self):
        """The pids of the master's workers (children), read from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill(self):
        """Stop at once, as a crash would (SIGKILL to the master and its workers)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class Nginx:
    def __init__(self, upstreams, static_root, run_dir, miss_rate=20):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is missing: apt-get install -y nginx-light")
        self.port = free_port()
        self.run_dir = Path(run_dir)
        self.access_log = self.run_dir / "access.log"
        self.conf = write_nginx_conf(
            self.run_dir,
            listen=f"127.0.0.1:{self.port}",
            upstreams=upstreams,
            static_root=static_root,
            miss_rate=miss_rate,
        )
        self.log = self.run_dir / "nginx.out"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [binary, "-p", str(self.run_dir), "-c", str(self.conf), "-g", "daemon off;"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.base = f"http://127.0.0.1:{self.port}"
        wait_until_ready(self.base + "/healthz", self.process, self.log)

    def cache_statuses(self):
        """Counts of `cache=` values in the access log (HIT, MISS, BYPASS …), /healthz aside."""
        counts = {}
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                if '"GET /healthz ' in line:
                    continue  # the benchmark's baseline, never cacheable
                status = line.rpartition(" cache=")[2].split(" ", 1)[0]
                counts[status] = counts.get(status, 0) + 1
        return counts

    def clear_log(self):
        self.access_log.write_text("")
        os.kill(self.process.pid, signal.SIGUSR1)  # reopen the log files

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Cluster:
    """`servers` app servers of `workers` workers each, behind nginx.

    `env` is the app's environment (DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY …); the static
    files must already be collected into its DJANGO_STATIC_ROOT. `extra[i]` adds variables for
    app server i only (e.g. to compare a setting across servers in one run). `miss_rate`: the
    proxy's per-client limit on requests past its cache (deploy/render_nginx.py).
    """

    def __init__(self, env, *, servers=2, workers=2, run_dir=None, extra=None, miss_rate=20):
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="hled-cluster-"))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "DJANGO_TRUSTED_PROXIES": "1"}
        self.apps = []
        self.nginx = None
        try:
            for index in range(servers):
                own = (extra or {}).get(index, {})
                self.apps.append(
                    AppServer({**self.env, **own}, workers, self.run_dir, f"app{index + 1}")
                )
            static_root = self.env.get("DJANGO_STATIC_ROOT", str(ROOT / "staticfiles"))
            self.nginx = Nginx(
                [app.address for app in self.apps], static_root, self.run_dir, miss_rate
            )
        except BaseException:
            self.stop()
            raise

    @property
    def base(self):
        return self.nginx.base

    def stop(self):
        if self.nginx is not None:
            self.nginx.stop()
        for app in self.apps:
            app.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
