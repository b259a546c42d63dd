"""Starts, reuses and stops the Quiver servers behind ``.db`` paths (see __init__)."""

import atexit
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import Dict, Optional

logger = logging.getLogger(__name__)

_START_TIMEOUT_S = 10.0


def _quiver_binary() -> Optional[str]:
    """QUIVER_BIN, else a binary shipped in this package, else `quiver` on PATH."""
    env = os.environ.get("QUIVER_BIN")
    if env:
        return env
    bundled = os.path.join(os.path.dirname(__file__), "bin", "quiver")
    if os.path.exists(bundled):
        return bundled
    return shutil.which("quiver")


def _socket_path(data_dir: str) -> str:
    # Unix socket paths are limited to ~107 bytes: name the socket after the data directory.
    digest = hashlib.sha1(data_dir.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"quiver-{digest}.sock")


def _answers(sock_path: str) -> bool:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(sock_path)
        return True
    except OSError:
        return False
    finally:
        s.close()


class Server:
    """One `quiver serve` for one data directory (owned when this process started it)."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.socket = _socket_path(data_dir)
        self.process: Optional[subprocess.Popen] = None

    @property
    def uri(self) -> str:
        return "unix:" + self.socket

    def start(self) -> bool:
        if _answers(self.socket):
            # Another process already serves this directory: share it (one writer per dir).
            return True
        binary = _quiver_binary()
        if not binary:
            logger.error("quiver binary not found: set QUIVER_BIN or put quiver on PATH")
            return False
        log_level = os.environ.get("LOG_LEVEL", "warn").lower()
        self.process = subprocess.Popen(
            [binary, "serve", "--data", self.data_dir, "--unix-socket", self.socket,
             "--log-level", log_level],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                logger.error("quiver exited with code %s while opening %s",
                             self.process.returncode, self.data_dir)
                self.process = None
                # Lost a race with another process starting the same directory?
                return _answers(self.socket)
            if _answers(self.socket):
                return True
            time.sleep(0.02)
        self.stop()
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class ServerManager:
    """What pymilvus calls: one server per absolute path, all stopped at exit."""

    def __init__(self):
        self._lock = threading.Lock()
        self._servers: Dict[str, Server] = {}

    def start_and_get_uri(self, path: str, args=None) -> Optional[str]:
        data_dir = os.path.abspath(path)
        parent = os.path.dirname(data_dir)
        if not os.path.isdir(parent):
            logger.error("Open local milvus failed, dir: %s not exists", parent)
            return None
        with self._lock:
            server = self._servers.get(data_dir)
            if server is None:
                server = Server(data_dir)
                if not server.start():
                    return None
                self._servers[data_dir] = server
            return server.uri

    def release_server(self, path: str) -> None:
        with self._lock:
            server = self._servers.pop(os.path.abspath(path), None)
        if server:
            server.stop()

    def release_all(self) -> None:
        with self._lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            server.stop()


server_manager_instance = ServerManager()
atexit.register(server_manager_instance.release_all)
