"""A throwaway MariaDB server: `mariadbd --no-defaults` on a free port with a temporary datadir.

Never touches a server already running on the machine: own datadir, own socket, own port.
The fault tests also stop it (`shutdown`), kill it (`kill`), freeze it (`freeze`/`thaw`) and start it
again on the same port and datadir (`start`), so what was committed before is there afterwards.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pymysql

from tools.ports import free_port, wait_for_port


def _binary(*names: str) -> str:
    for name in names:
        for d in ("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/mysql/bin"):
            p = Path(d) / name
            if p.exists():
                return str(p)
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError(f"none of {names} found; `make test` installs mariadb-server")


class MariaDB:
    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="erp-mariadb-"))
        self.datadir = self.root / "data"
        self.socket = self.root / "mysqld.sock"
        self.proc: subprocess.Popen | None = None
        self.log = self.root / "server.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0) -> "MariaDB":
        """Creates the datadir on the first call; later calls start the server again on the same
        port and datadir (after `shutdown` or `kill`)."""
        if self.running:
            return self
        user_args = ["--user=root"] if os.geteuid() == 0 else []
        if not self.datadir.exists():
            subprocess.run([_binary("mariadb-install-db", "mysql_install_db"), "--no-defaults",
                            f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
                            "--skip-test-db", *user_args],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.proc = subprocess.Popen(
            [_binary("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.socket}",
             f"--pid-file={self.root / 'mysqld.pid'}", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=2",
             "--max-connections=400", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
             *user_args],
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        wait_for_port(self.port, timeout=timeout, proc=self.proc)
        return self

    def shutdown(self, timeout: float = 30.0) -> None:
        """A clean stop (SIGTERM: connections are closed, InnoDB shuts down); the datadir stays."""
        if self.running:
            self.thaw()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL, as a crash; the datadir stays and the next `start` runs InnoDB crash recovery.
        Commits survive it: innodb-flush-log-at-trx-commit=2 writes the log to the OS at every
        commit and only an OS crash could lose the last second."""
        if self.running:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def freeze(self, timeout: float = 5.0) -> None:
        """SIGSTOP: the server keeps its sockets open but answers nothing (a hung server). Returns
        once every thread has stopped (the signal is delivered asynchronously)."""
        if not self.running:
            return
        self.proc.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + timeout
        while not self._all_threads_stopped():
            if time.monotonic() > deadline:
                raise TimeoutError(f"mariadbd {self.proc.pid} did not stop in {timeout}s")
            time.sleep(0.01)

    def _all_threads_stopped(self) -> bool:
        states = []
        for stat in Path(f"/proc/{self.proc.pid}/task").glob("*/stat"):
            try:
                states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
            except (OSError, IndexError):
                continue
        return bool(states) and all(s in ("T", "t") for s in states)

    def thaw(self) -> None:
        if self.running:
            self.proc.send_signal(signal.SIGCONT)

    def connect(self, database: str | None = None):
        # The throwaway server's root has no password: its own datadir, bound to loopback, removed on stop.
        # No TLS on loopback: PyMySQL would otherwise build an SSL context (~25 ms) for every connection.
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="",  # nosec B106
                               database=database, autocommit=True, ssl_disabled=True)

    def create_database(self, prefix: str = "erp") -> str:
        """A new empty database and its URL (root user, loopback)."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return f"mysql://root@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stops the server for good and deletes its datadir."""
        self.shutdown()
        shutil.rmtree(self.root, ignore_errors=True)
