"""Starts the real gateway binary for the end-to-end tests and stops it afterwards."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BINARY = REPO_ROOT / "bin" / "switchboard"

# Generous: a cold start on a loaded two-core CI machine migrates SQLite and builds the router.
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Gateway:
    """A running gateway: where it listens and the keys the tests call it with."""

    base_url: str
    admin_key: str
    # A virtual key ("sk-sb-...") created through AdminService for the whole session.
    secret: str

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"


def gateway_binary() -> Path:
    configured = os.environ.get("SWITCHBOARD_BIN")
    return Path(configured) if configured else DEFAULT_BINARY


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_environment(data_dir: Path, admin_key: str) -> dict[str, str]:
    # Hermetic: no SWITCHBOARD_* setting of the developer's shell leaks in, and no provider
    # key, so nothing but the in-process simulator can be reached (tests never call a real
    # provider).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SWITCHBOARD_") and not k.endswith("_API_KEY")
    }
    env["SWITCHBOARD_DATA_DIR"] = str(data_dir)
    env["SWITCHBOARD_ADMIN_KEY"] = admin_key
    return env


class GatewayProcess:
    """Owns one `switchboard serve` child process."""

    def __init__(self, binary: Path, work_dir: Path) -> None:
        self._binary = binary
        self._work_dir = work_dir
        self._log_path = work_dir / "switchboard.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._admin_key = "sk-sbadmin-" + secrets.token_urlsafe(32)
        self._base_url = ""

    def start(self) -> Gateway:
        if not self._binary.is_file():
            raise RuntimeError(
                f"gateway binary not found at {self._binary}: build it with "
                "`go build -o bin/switchboard ./cmd/switchboard` at the repository root "
                "(or set SWITCHBOARD_BIN to its path)"
            )
        data_dir = self._work_dir / "data"
        data_dir.mkdir()
        port = free_port()
        self._base_url = f"http://127.0.0.1:{port}"
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(
                [str(self._binary), "serve", "--addr", f"127.0.0.1:{port}"],
                cwd=self._work_dir,
                env=child_environment(data_dir, self._admin_key),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()
        return Gateway(self._base_url, self._admin_key, self.create_key("py-tests"))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"gateway exited with status {self._process.returncode} before it was "
                    f"ready; its output:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self._base_url}/readyz", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"gateway did not answer GET /readyz with 200 within {READY_TIMEOUT_S:.0f}s; "
            f"its output:\n{self.log_tail()}"
        )

    def create_key(self, name: str) -> str:
        """Create a virtual key over plain Connect JSON, the way curl would."""
        req = urllib.request.Request(
            f"{self._base_url}/switchboard.v1.AdminService/CreateKey",
            data=json.dumps({"name": name}).encode(),
            headers={
                "Authorization": f"Bearer {self._admin_key}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            secret = json.load(resp)["secret"]
        if not secret.startswith("sk-sb-"):
            raise RuntimeError("CreateKey answered a secret without the sk-sb- prefix")
        return secret

    def log_tail(self, limit: int = 4000) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except OSError:
            return "(no output)"
        # The admin key is passed by environment; never echo it even if the gateway did.
        return text[-limit:].replace(self._admin_key, "<admin key>")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
