"""The enrichment lease: one holder per store at a time, across processes, taken over when
its holder goes."""

from __future__ import annotations

import subprocess
import sys
import time

from dealdesk.store.lease import Lease


def test_one_holder_at_a_time_and_the_next_takes_over(tmp_path):
    store = tmp_path / "dealdesk.sqlite3"
    first, second = Lease(store), Lease(store)
    assert first.held()
    assert first.held()  # asking again keeps it
    assert not second.held()
    first.release()
    assert second.held()
    assert not first.held()
    second.release()


def test_a_holder_in_another_process_keeps_it_until_that_process_dies(tmp_path):
    store = tmp_path / "dealdesk.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from dealdesk.store.lease import Lease; "
         "lease = Lease(Path(sys.argv[1])); print(lease.held(), flush=True); time.sleep(60)",
         str(store)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
        mine = Lease(store)
        assert not mine.held()
    finally:
        child.kill()
        child.wait(timeout=10)
    deadline = time.monotonic() + 5
    while not mine.held() and time.monotonic() < deadline:  # the kernel drops it with the process
        time.sleep(0.05)
    assert mine.held()
    mine.release()


def test_the_lease_file_is_private_and_a_missing_directory_is_no_lease(tmp_path):
    store = tmp_path / "dealdesk.sqlite3"
    lease = Lease(store)
    assert lease.held()
    assert (lease.path.stat().st_mode & 0o777) == 0o600
    lease.release()
    assert not Lease(tmp_path / "gone" / "dealdesk.sqlite3").held()
