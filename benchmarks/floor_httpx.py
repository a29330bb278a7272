"""The floor under a Python refresh: interpreter, asyncio and httpx, and N conditional GETs.

    python benchmarks/floor_httpx.py VALIDATORS.json [--transport default|dealdesk]

VALIDATORS.json maps each feed URL to its ETag. Every GET carries its If-None-Match, all
at once, and nothing is parsed or stored, so the time of this whole process is what any
Python program using httpx needs for a warm refresh of these feeds on this machine.
`--transport dealdesk` uses DealDesk's FeedTransport instead of httpx's default one.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httpx


async def main(urls: dict[str, str], transport: httpx.AsyncBaseTransport | None) -> int:
    async with httpx.AsyncClient(transport=transport, trust_env=False,
                                 limits=httpx.Limits(max_connections=len(urls))) as client:
        async def one(url: str, etag: str) -> int:
            response = await client.get(url, headers={"If-None-Match": etag})
            return response.status_code

        codes = await asyncio.gather(*(one(u, e) for u, e in urls.items()))
    return 0 if all(c == 304 for c in codes) else 1


if __name__ == "__main__":
    validators = json.loads(open(sys.argv[1]).read())
    transport = None
    if sys.argv[2:] == ["--transport", "dealdesk"]:
        from dealdesk.news.transport import FeedTransport

        transport = FeedTransport()
    sys.exit(asyncio.run(main(validators, transport)))
