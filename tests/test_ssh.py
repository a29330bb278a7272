"""The dashboard through a real sshd on loopback, as it is used: `ssh host dealdesk`.

A private sshd (its own host key, config, port and authorized key, in the test's temporary
directory) runs for the module; `make test` installs openssh-server beside tmux. Without
`-t` the dashboard says how to get a terminal and leaves; with `-tt` it runs, and when the
client drops mid-refresh nothing is left on the server.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dealdesk.config import STORE_FILE

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401
from .newsdata import fill_store
from .test_terminal_ssh import EXITED, alive, cmdline, refresh_child, until
from .tmux import Tmux

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sshd(tmp_path_factory) -> Iterator[list[str]]:
    """A running sshd; yields the ssh command line (without the remote command)."""
    if not Path(SSHD).exists():
        raise RuntimeError("sshd is not installed: `make test` installs openssh-server")
    home = tmp_path_factory.mktemp("sshd")
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / name)],
                       check=True, timeout=30)
    (home / "authorized_keys").write_text((home / "client.pub").read_text())
    port = _free_port()
    (home / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {home / 'host'}\n"
        f"PidFile {home / 'sshd.pid'}\nAuthorizedKeysFile {home / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\nLogLevel ERROR\n"
        "PrintMotd no\nPrintLastLog no\n")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(home / "sshd_config")],
                              stderr=subprocess.PIPE)
    client = ["ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
              "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
              "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
              "-i", str(home / "client"), "-p", str(port), f"{getpass.getuser()}@127.0.0.1"]
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run([*client, "true"], capture_output=True, timeout=15).returncode == 0:
                break
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            time.sleep(0.2)
        else:
            raise AssertionError("sshd did not accept the test key in time")
        yield client
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def remote(tmp_path, feed_server):
    """The remote command: the dashboard on a config with one slow loopback feed."""
    slow = feed_server.add("/slow.xml", body=rss([{"title": "Fresh", "guid": "s1"}]),
                           delay_s=8.0)
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "Slow"\nurl = "{slow}"\n')
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nread_timeout_seconds = 30\ndeadline_seconds = 40\n", encoding="utf-8")
    data = tmp_path / "data"
    from dealdesk.config import load

    fill_store(data / STORE_FILE, load(cfg).feeds)
    command = (f"cd {shlex.quote(str(tmp_path))} && DEALDESK_CACHE={shlex.quote(str(tmp_path))}"
               f" {shlex.quote(sys.executable)} -m dealdesk.cli --config {shlex.quote(str(cfg))}"
               f" --data {shlex.quote(str(data))}")
    return command, str(data)


def server_processes(marker: str) -> list[int]:
    """Our dashboards on the server: Python running dealdesk on the test's data dir (the
    local tmux, shell and ssh client name it too, but are not Python). Refresh children
    are found as the dashboards' children."""
    return [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and alive(int(p.name))
            and cmdline(int(p.name)).startswith(f"{sys.executable} -m dealdesk.cli")
            and marker in cmdline(int(p.name))]


def test_ssh_without_a_terminal_says_how_to_get_one(sshd, remote):
    command, data = remote
    started = time.monotonic()
    result = subprocess.run([*sshd, command], stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=30)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "ssh -t" in err and len(err.strip().splitlines()) == 1
    assert b"\x1b" not in result.stdout
    assert time.monotonic() - started < 15
    assert server_processes(data) == []


def test_a_dropped_ssh_session_leaves_nothing_on_the_server(sshd, remote):
    command, data = remote
    terminal = Tmux(80, 24)
    try:
        ssh = " ".join(shlex.quote(a) for a in [*sshd[:1], "-tt", *sshd[1:], command])
        terminal.start(f"sh -c {shlex.quote(f'{ssh}; echo {EXITED}$?; sleep 60')}")
        terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s, seconds=20)
        dashboards: list[int] = []
        until(lambda: bool(dashboards.extend(server_processes(data)) or dashboards), 10,
              "the dashboard on the server")
        child = refresh_child(dashboards[0])  # mid-refresh: the slow feed is on its way
        # The client goes without a word, as when the network drops.
        client = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                  and cmdline(int(p.name)).startswith("ssh ") and data in cmdline(int(p.name))]
        assert client
        for pid in client:
            os.kill(pid, 9)
        until(lambda: not server_processes(data) and not alive(child), 15,
              "no dashboard or refresh left on the server")
        # The local terminal is the client's to restore; the server side is what matters.
    finally:
        terminal.close()
