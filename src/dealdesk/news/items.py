"""Raw item fields, as either parser found them -> cleaned, deduplicated `NewsItem`s."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from ..model import NewsItem
from ..text.clean import clean_text, clean_texts
from ..text.links import clean_links
from .dates import parse_date

TITLE_LIMIT = 1_000
SUMMARY_LIMIT = 10_000
GUID_LIMIT = 2_048
# The horizon: a date further ahead of the fetch than this (clocks and zones differ by less)
# is flagged `future` and stands at the fetch time, as does dates.FAR_FUTURE (past 9999).
FUTURE_TOLERANCE = timedelta(days=1)

# An item's fields as found, before cleaning. A plain tuple: the cheapest thing to make and
# take apart, and a feed may have thousands. In order: title, title_html (does the title
# carry HTML), summary, summary_html, link, base (what a relative link is resolved
# against), guid, date_text (as written), date_parsed (when the parser already read it).
Raw = tuple[str, bool, str, bool, str | None, str | None, str, str, datetime | None]
_UNREAD: Any = object()  # not in ItemBuilder._dates yet


class ItemBuilder:
    """Cleans raw items into `items`, in order, leaving out repeats and unreadable ones.

    Items come in batches (a slice of the document at a time) and each field is cleaned for
    the whole batch at once (clean_texts), then the items are put together one by one.
    """

    def __init__(
        self, feed: str, fetched_at: datetime, now: datetime, base_url: str | None
    ) -> None:
        self.items: list[NewsItem] = []
        self._feed = feed
        self._fetched_at = fetched_at
        self._now = now
        self._latest_allowed = now + FUTURE_TOLERANCE
        self._base_url = base_url
        self._seen_guids: set[str] = set()
        self._seen_links: set[str] = set()
        self._seen_titles: set[str] = set()
        # A feed's items often share a date as written: each is read once per document.
        self._dates: dict[str, datetime | None] = {}

    def add(self, raws: Sequence[Raw]) -> None:
        if not raws:
            return
        (
            raw_titles, title_html, raw_summaries, summary_html, raw_links, bases, raw_guids,
            date_texts, dates_parsed,
        ) = zip(*raws)
        titles = _clean_column(raw_titles, title_html, TITLE_LIMIT)
        summaries = _clean_column(raw_summaries, summary_html, SUMMARY_LIMIT)
        links = clean_links(raw_links, bases, self._base_url)
        guids = clean_texts(raw_guids, GUID_LIMIT, html_markup=False)
        feed, latest_allowed = self._feed, self._latest_allowed
        seen_guids, seen_links, seen_titles = (
            self._seen_guids, self._seen_links, self._seen_titles
        )
        append = self.items.append
        new, set_dict = object.__new__, object.__setattr__
        dates, unread = self._dates, _UNREAD
        for title, summary, link, guid, date_text, published in zip(
            titles, summaries, links, guids, date_texts, dates_parsed
        ):
            if not title:
                title = clean_text(summary, 200, html_markup=False) or (link or "")
                if not title:
                    continue  # nothing a reader could recognise
            if published is None:
                published = dates.get(date_text, unread)
                if published is unread:
                    published = dates[date_text] = parse_date(date_text)
            date_flag = None
            if published is None:
                published, date_flag = self._fetched_at, "missing"
            elif published > latest_allowed:
                published, date_flag = self._now, "future"
            if not guid:
                # Hash the date as written, not the fallback date: the guid must stay the
                # same from one fetch to the next or every refresh would store the item again.
                guid = link or "sha1:" + hashlib.sha1(
                    f"{title}\x00{date_text.strip()}".encode()
                ).hexdigest()
            # The same story listed twice shows up as a repeated guid, link or headline.
            if guid in seen_guids or (link and link in seen_links) or title in seen_titles:
                continue
            seen_guids.add(guid)
            if link:
                seen_links.add(link)
            seen_titles.add(title)
            # NewsItem(...) spelt out: calling the class runs the frozen dataclass's __init__,
            # one object.__setattr__ per field, as long as the rest of this loop. The two
            # make equal items (tests/test_parse_slices.py).
            item = new(NewsItem)
            set_dict(item, "__dict__", {
                "feed": feed, "guid": guid, "title": title, "link": link,
                "published": published, "summary": summary, "date_flag": date_flag,
                "entities": (),
            })
            append(item)


def _clean_column(texts: Sequence[str], html: Sequence[bool], limit: int) -> list[str]:
    """One field of a batch. Atom says item by item whether a text is HTML; a batch needs
    one answer for all its texts, else they are cleaned one by one."""
    if all(html):
        return clean_texts(texts, limit)
    if not any(html):
        return clean_texts(texts, limit, html_markup=False)
    return [clean_text(s, limit, html_markup=h) for s, h in zip(texts, html)]
