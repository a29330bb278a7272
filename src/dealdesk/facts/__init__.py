"""The story as data: sources, partners, user counts, clause risks, timeline events.

Frozen value types (dataclasses on a cheaper base, Value) and pure functions. Everything a
panel shows that is not typed in the config is derived here (status as of a date, investment
unlocked per GW deployed, growth between user counts, staleness), so the TUI, `dump` and the
tests agree by construction.

The types the config loader makes are in dealdesk.story_types (one layer down: config builds
them); story.py holds what is derived from them as of a date, figures.py the figures accepted
from the news and the conflicts; all are re-exported here (`from dealdesk import facts as F`).
"""

from __future__ import annotations

from datetime import date  # noqa: F401  (re-exported: callers write F.date, as before the split)

from .figures import (
    CONFLICT_DAYS, METRIC_FIELDS, PARTNER_SIGNAL_METRICS, AcceptedFigure, Statement,
    StatusStatement, accepted_from, conflicts, current, current_status, statements, target_of,
    with_accepted,
)
from ..story_types import (
    PARTNER_NUMBER_FIELDS, PARTNER_STATUSES, PARTNER_TEXT_FIELDS, QUALIFIERS,
    RISK_EVENT_FIELDS, RISK_SEVERITIES, RISK_STATUSES, SOURCE_KINDS, Event, Partner, Risk,
    Source, Story, UserCount,
)
from .story import (
    ComputeTotals, PartnerState, RiskState, Snapshot, TimelineEntry, UserPoint,
    compute_totals, events_for, investment_unlocked, is_stale, partner_as_of, partner_states,
    products, provenance, risk_as_of, risk_states, snapshot, timeline, user_points,
)

__all__ = [
    "PARTNER_SIGNAL_METRICS", "StatusStatement", "current_status",
    "AcceptedFigure", "CONFLICT_DAYS", "ComputeTotals", "Event", "METRIC_FIELDS",
    "PARTNER_NUMBER_FIELDS", "PARTNER_STATUSES", "PARTNER_TEXT_FIELDS", "Partner",
    "PartnerState", "QUALIFIERS", "RISK_EVENT_FIELDS", "RISK_SEVERITIES", "RISK_STATUSES",
    "Risk", "RiskState", "SOURCE_KINDS", "Snapshot", "Source", "Statement", "Story",
    "TimelineEntry", "UserCount", "UserPoint", "accepted_from", "compute_totals", "conflicts",
    "current", "events_for", "investment_unlocked", "is_stale", "partner_as_of",
    "partner_states", "products", "provenance", "risk_as_of", "risk_states", "snapshot",
    "statements", "target_of", "timeline", "user_points", "with_accepted",
]
