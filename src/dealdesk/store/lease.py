"""One dashboard of many enriches what a cron refresh left: a lease on a lock file beside the
store.

A headless `dealdesk refresh` stores items and leaves their tagging, figures and search index
to whoever shows them (news.enrich). With several dashboards on one data directory, each one
seeing the cron's commit would start its own enrichment of the same items: the same CPU work
once per dashboard, on a machine whose cores the dashboards share, while their readers press
keys. The lease makes one of them (the first to ask) do it for all; the others see the
results through the store watcher. When its holder quits (or dies: the kernel drops the lock
with the process), the next dashboard to ask takes it over.

An advisory `flock` on `<store>.lease`: nothing else reads the file, and a lock that cannot be
taken (another holder, a file system without locks) only means "not this dashboard".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if sys.platform != "win32":
    import fcntl


class Lease:
    """A non-blocking, process-lifetime exclusive lock; `held()` takes it when it is free."""

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + ".lease")
        self._fd: int | None = None

    def held(self) -> bool:
        """True if this object holds the lease, taking it now if no one else does."""
        if self._fd is not None:
            return True
        if sys.platform == "win32":  # no flock: every dashboard enriches, as before the lease
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another holder, or no locks on this file system
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor drops the flock
