"""Politeness: how many requests go out at once, in all and to any one host.

The host key is the host name in lower case without a trailing dot, IDNA-encoded: scheme
and port are left out on purpose, since http and https, and every port, of a host are one
machine to be polite to. Redirects count against the host they lead to. No httpx here:
the head start (news.early) plans its first wave with the same rule before httpx loads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


def host_key(host: str) -> str:
    """The key a host's requests are counted under ('' when there is no usable host)."""
    key = host.strip().lower().rstrip(".")
    if key.startswith("[") and key.endswith("]"):
        key = key[1:-1]  # an IPv6 literal, with or without its brackets
    if not key.isascii():
        try:
            key = key.encode("idna").decode("ascii")
        except UnicodeError:
            pass  # the fetch refuses it anyway; any stable key will do meanwhile
    return key


def url_host_key(url: str) -> str:
    """host_key of a URL as the fetcher reads it ('' for a URL it would refuse)."""
    from ..text.feedurl import parse_feed_url

    try:
        return host_key(parse_feed_url(url).host)
    except ValueError:
        return ""


def first_wave(items: Sequence[T], keys: Iterable[str], total: int, per_host: int) -> list[T]:
    """The items Gate admits at once when their requests ask in this order (the head start
    sends exactly these): each while its host has fewer than `per_host` and, all hosts
    together, fewer than `total`."""
    wave: list[T] = []
    counts: dict[str, int] = {}
    for item, key in zip(items, keys):
        if len(wave) >= max(1, total):
            break
        if counts.get(key, 0) < max(1, per_host):
            counts[key] = counts.get(key, 0) + 1
            wave.append(item)
    return wave


class Gate:
    """At most `total` requests at once, and at most `per_host` to any one host.

    A request waits for its host's slot first, then for one of the total: one holding a
    total slot never waits for anything else, so hosts cannot deadlock one another, and
    feeds queued behind a busy host leave the total slots to other hosts meanwhile.
    """

    def __init__(self, total: int, per_host: int) -> None:
        self._total = asyncio.Semaphore(max(1, total))
        self._per_host = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._users: dict[str, int] = {}

    async def enter(self, key: str) -> None:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(self._per_host)
        self._users[key] = self._users.get(key, 0) + 1
        try:
            await host.acquire()
            try:
                await self._total.acquire()
            except BaseException:
                host.release()
                raise
        except BaseException:
            self._forget(key)
            raise

    def leave(self, key: str) -> None:
        self._total.release()
        self._hosts[key].release()
        self._forget(key)

    def _forget(self, key: str) -> None:
        # Hosts nobody waits for are dropped: a dashboard refreshing for days keeps no
        # semaphore per host it ever saw.
        self._users[key] -= 1
        if not self._users[key]:
            del self._users[key]
            del self._hosts[key]


class Passage:
    """One feed's way through a Gate: it holds one request's slots at most, and moves them
    when a redirect leads to another host (letting go first, so it never holds one slot
    while it waits for another)."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._key: str | None = None

    async def hold(self, key: str) -> None:
        if key == self._key:
            return
        self.release()
        await self._gate.enter(key)
        self._key = key

    def release(self) -> None:
        if self._key is not None:
            key, self._key = self._key, None
            self._gate.leave(key)
