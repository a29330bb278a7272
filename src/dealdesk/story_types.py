"""The story's types as read from `config/facts/*.toml`: sources, partners, user counts, clause
risks, the events that move them, and the words each field may hold.

They sit in the bottom layer beside `model` because two layers build on them: the config
loader (config.story) makes them from TOML, and `facts` derives what a panel shows from them.
`facts` re-exports every name (`F.Story`, `F.Partner`...).
"""

from __future__ import annotations

from datetime import date

from .model import Metric
from .value import Value

PARTNER_STATUSES = ("announced", "letter-of-intent", "definitive", "stalled", "replaced", "ended")
RISK_SEVERITIES = ("low", "medium", "high")
RISK_STATUSES = ("open", "watching", "revised", "materialized", "resolved")
SOURCE_KINDS = ("seed", "primary", "reported")
QUALIFIERS = ("at_least", "more_than", "up_to", "about")

# Partner fields an event may move; the value's type is checked by the config loader.
PARTNER_NUMBER_FIELDS = (
    Metric.CAPACITY_GW,
    Metric.DEPLOYED_GW,
    Metric.COMMITMENT_USD,
    Metric.INVESTMENT_MAX_USD,
    Metric.TRANCHE_PER_GW_USD,
)
PARTNER_TEXT_FIELDS = (Metric.STATUS, "role", "note")
RISK_EVENT_FIELDS = (Metric.STATUS, "severity", "note")


class Source(Value):
    id: str
    title: str
    published: date
    kind: str = "reported"  # seed | primary | reported
    publisher: str = ""
    url: str | None = None
    lang: str = "en"


class Event(Value):
    """A later move of one field of a partner or risk, with its own source."""

    date: date
    subject: str  # a partner name or a risk id
    field: str
    value: str | float
    source: str
    quote: str = ""
    note: str = ""
    qualifier: str | None = None  # the source's hedge on a figure: at_least, up_to...


class Partner(Value):
    name: str
    role: str
    status: str
    since: date
    source: str
    aliases: tuple[str, ...] = ()
    capacity_gw: float | None = None
    deployed_gw: float | None = None
    commitment_usd: float | None = None
    investment_max_usd: float | None = None
    tranche_per_gw_usd: float | None = None
    capacity_qualifier: str | None = None
    commitment_qualifier: str | None = None
    quote: str = ""
    note: str = ""


class UserCount(Value):
    product: str
    as_of: date
    weekly_active_users: float
    source: str
    qualifier: str | None = None
    quote: str = ""
    note: str = ""


class Risk(Value):
    id: str
    title: str
    party: str
    severity: str
    status: str
    since: date
    source: str
    note: str = ""
    trigger: str = ""
    watch: str = ""
    quote: str = ""
    watch_terms: tuple[str, ...] = ()  # phrases that raise an alert (watch_config)


class Story(Value):
    """Everything read from `config/facts/*.toml`, validated."""

    title: str
    company: str
    sources: dict[str, Source]
    partners: tuple[Partner, ...]
    users: tuple[UserCount, ...]
    risks: tuple[Risk, ...]
    events: tuple[Event, ...]
    stale_after_days: int = 90

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]

    def partner(self, name: str) -> Partner | None:
        return next((p for p in self.partners if p.name == name), None)

    def risk(self, risk_id: str) -> Risk | None:
        return next((r for r in self.risks if r.id == risk_id), None)

    def entities(self) -> dict[str, tuple[str, ...]]:
        """Names the news is tagged with: the company, partners and their aliases, products."""
        names: dict[str, tuple[str, ...]] = {self.company: ()}
        for p in self.partners:
            names[p.name] = p.aliases
        for u in self.users:
            names.setdefault(u.product, ())
        return names
