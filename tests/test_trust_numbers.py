"""Numbers are finite and plausible, and every JSON or TOML DealDesk writes parses (issue 13).

One range per metric (dealdesk.limits): `check` refuses facts outside it with `file:line`,
the figure finder never offers a figure outside it and reads signs as written, an accepted
signal outside it never reaches the facts, and what shows a figure shows "—" rather than
"$infT". `ingest` reads bounded input, refuses binary data, and writes TOML that tomllib
reads back and JSON without NaN or Infinity.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealdesk import config as C
from dealdesk import dump, limits
from dealdesk import facts as F
from dealdesk import view as V
from dealdesk.cli import main
from dealdesk.news import ingest as ingest_module
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.ingest import read_text, render, to_facts_toml, to_json, to_toml
from dealdesk.news.signals import Figure, find_figures, iter_figures
from dealdesk.store import Store

from .conftest import CONFIG_DIR
from .test_signals import MATCHER
from .test_store import LIMITS, NOW, item, ok

TRACKED_METRICS = ("weekly_active_users", "capacity_gw", "deployed_gw", "commitment_usd")


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity, as strict JSON parsers do."""
    def refuse(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_strict_json_parser_refuses_what_python_writes_by_default():
    with pytest.raises(ValueError):
        strict_json(json.dumps([math.inf]))
    with pytest.raises(ValueError):
        strict_json(json.dumps({"v": math.nan}))


# ---------------------------------------------------------------------------- the ranges


def test_every_tracked_metric_has_a_finite_range():
    for metric in (*TRACKED_METRICS, *F.PARTNER_NUMBER_FIELDS):
        low, high = limits.RANGES[metric]
        assert math.isfinite(low) and math.isfinite(high) and 0 <= low < high


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, -1, True, None, "5"])
def test_no_metric_finds_nonsense_plausible(value):
    for metric in TRACKED_METRICS:
        assert not limits.plausible(metric, value)


def test_the_ranges_are_those_the_readme_documents():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for metric in TRACKED_METRICS:
        assert f"`{metric}`" in readme
    assert "limits.py" in readme


# ------------------------------------------------------------------------ check (config)

BAD_FACTS = """
[[source]]
id = "trust-src"
title = "a source"
published = 2025-01-01

[[partner]]
name = "Trustco"
role = "tester"
status = "announced"
since = 2025-01-01
source = "trust-src"
{partner_key} = {partner_value}

[[users]]
product = "ChatGPT"
as_of = 2025-01-02
weekly_active_users = {users_value}
source = "trust-src"

[[event]]
date = 2025-01-03
subject = "Trustco"
field = "{event_field}"
value = {event_value}
source = "trust-src"
"""


def _config_with(tmp_path: Path, **values: str) -> tuple[Path, Path]:
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    facts_file = cfg / "facts" / "zz_trust.toml"
    defaults = {"partner_key": "capacity_gw", "partner_value": "1", "users_value": "900e6",
                "event_field": "deployed_gw", "event_value": "1"}
    facts_file.write_text(BAD_FACTS.format(**(defaults | values)), encoding="utf-8")
    return cfg, facts_file


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _problems(cfg: Path) -> list[str]:
    with pytest.raises(C.ConfigError) as info:
        C.load(cfg)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("bad", ["nan", "+inf", "-inf", "inf", "1e308", "-5", "1001",
                                 "1e400"])
@pytest.mark.parametrize("key", ["capacity_gw", "deployed_gw"])
def test_check_rejects_gigawatts_out_of_range_with_file_and_line(tmp_path, key, bad):
    cfg, facts_file = _config_with(tmp_path, partner_key=key, partner_value=bad)
    problems = _problems(cfg)
    where = f"{facts_file}:{_line_of(facts_file, f'{key} = {bad}')}: {key}"
    assert [p for p in problems if p.startswith(where)], problems


@pytest.mark.parametrize("bad", ["nan", "inf", "1e308", "7e12", "0", "-700e6", "25e9"])
def test_check_rejects_user_counts_out_of_range_with_file_and_line(tmp_path, bad):
    cfg, facts_file = _config_with(tmp_path, users_value=bad)
    line = _line_of(facts_file, f"weekly_active_users = {bad}")
    assert any(p.startswith(f"{facts_file}:{line}: weekly_active_users")
               for p in _problems(cfg))


@pytest.mark.parametrize(("field", "bad"), [
    ("commitment_usd", "inf"), ("commitment_usd", "1e15"), ("commitment_usd", "nan"),
    ("deployed_gw", "1e308"), ("capacity_gw", "-1"), ("investment_max_usd", "-inf"),
    ("tranche_per_gw_usd", "2e14"),
])
def test_check_rejects_event_values_out_of_range_with_file_and_line(tmp_path, field, bad):
    cfg, facts_file = _config_with(tmp_path, event_field=field, event_value=bad)
    line = _line_of(facts_file, f"value = {bad}")
    assert any(p.startswith(f"{facts_file}:{line}: value") for p in _problems(cfg))


def test_check_accepts_the_edges_of_each_range(tmp_path):
    for key, edge in [("capacity_gw", "0"), ("capacity_gw", "1000"), ("deployed_gw", "0"),
                      ("commitment_usd", "1e14"), ("commitment_usd", "0")]:
        cfg, _ = _config_with(tmp_path / key / edge, partner_key=key, partner_value=edge,
                              users_value="20e9", event_field="commitment_usd",
                              event_value="1e14")
        assert C.load(cfg).story.partner("Trustco") is not None


def test_check_command_reports_a_nan_fact_as_a_usage_error(tmp_path, capsys):
    cfg, facts_file = _config_with(tmp_path, users_value="nan")
    assert main(["check", "--config", str(cfg), "--data", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"{facts_file}:{_line_of(facts_file, 'weekly_active_users')}:" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------- the figure finder

HUGE = "1" + "0" * 400  # parsed as a float: inf


@pytest.mark.parametrize("sentence", [
    "ChatGPT now has 7 trillion weekly active users.",
    "ChatGPT reaches 21 billion weekly active users.",
    f"ChatGPT reaches {HUGE} weekly active users.",
    f"ChatGPT weekly active users reached {HUGE} million.",
    "Nvidia will deploy 12345678901234567890123456789012345678901234 GW.",
    f"Nvidia will deploy {HUGE} GW for OpenAI.",
    f"Nvidia will deploy {HUGE} MW for OpenAI.",
    "Nvidia will deploy 1,001 GW for OpenAI.",
    f"Nvidia will invest ${HUGE} in OpenAI.",
    "Nvidia will invest $200 trillion in OpenAI.",
    f"Nvidia investira {HUGE} milliards de dollars dans OpenAI.",
    "Nvidia will deploy -5 GW.",
    "Nvidia will deploy -0 GW.",
    "Nvidia will deploy \u22125 GW.",
    "Nvidia will deploy \u22125\u00a0GW for OpenAI.",
    "Nvidia: -5 gigawatts.",
    "Nvidia will invest -$5 billion in OpenAI.",
    "Nvidia will invest $-5 billion in OpenAI.",
    "ChatGPT has -700 million weekly active users.",
    "Oracle (-4.5 GW) and OpenAI.",
    "Growth in 2025 -5 GW at Oracle.",
    "Between -10 and -5 GW for Oracle.",
])
def test_the_finder_never_offers_implausible_or_negative_figures(sentence):
    assert find_figures(sentence, MATCHER, "en") == []


@pytest.mark.parametrize(("sentence", "value", "qualifier"), [
    ("Nvidia will deploy 5-10 GW for OpenAI.", 10, "up_to"),
    ("Nvidia will deploy 5 -10 GW for OpenAI.", 10, "up_to"),
    ("Nvidia will deploy 5 - 10 GW for OpenAI.", 10, "up_to"),
    ("Nvidia will deploy 5\u201310 GW for OpenAI.", 10, "up_to"),
    ("Nvidia will deploy 1,000 GW for OpenAI.", 1000, None),
    ("ChatGPT has 20 billion weekly active users.", 20e9, None),
    ("Nvidia will invest $100 trillion in OpenAI.", 100e12, None),
])
def test_ranges_and_the_edges_of_the_ranges_are_still_figures(sentence, value, qualifier):
    [fig] = find_figures(sentence, MATCHER, "en")
    assert (fig.value, fig.qualifier) == (value, qualifier)


NUMBERS = st.one_of(
    st.integers(min_value=-10**60, max_value=10**60).map(str),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:,}"),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: f"{d:f}"),
    st.integers(min_value=300, max_value=1200).map(lambda n: "9" * n),
)
UNITS = st.sampled_from([
    " GW", " MW", " gigawatts", " weekly active users", " million weekly active users",
    " billion weekly users", " billion dollars", " trillion dollars", " milliards de dollars",
    " WAU", "M WAU", "bn", " GW and 3 GW",
])
PREFIXES = st.sampled_from(["", "$", "-", "\u2212", "-$", "$-", "up to ", "about -", "US$"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(PREFIXES, NUMBERS, UNITS, st.sampled_from(["en", "fr"]))
def test_every_figure_offered_is_finite_and_in_range(prefix, number, unit, lang):
    sentence = f"Nvidia will deploy {prefix}{number}{unit} for OpenAI and ChatGPT."
    for fig in find_figures(sentence, MATCHER, lang):
        assert limits.plausible(fig.metric, fig.value), (sentence, fig)
        written = sentence[fig.start:fig.end]
        assert not written.lstrip("$US ").startswith(("-", "\u2212")), (sentence, fig)


def test_a_run_on_sentence_is_read_in_bounded_windows(monkeypatch):
    """A file of figures with no full stop is one "sentence": each figure reads a bounded
    window around it for its subject, and quotes only that window (reading and quoting the
    whole sentence per figure was quadratic: 10 MB took minutes)."""
    matcher = EntityMatcher({"Nvidia": [], "AMD": [], "Oracle": [], "OpenAI": []})
    read = 0
    find = EntityMatcher.find

    def counting_find(self: EntityMatcher, text: str) -> tuple[str, ...]:
        nonlocal read
        read += len(text)
        return find(self, text)

    monkeypatch.setattr(EntityMatcher, "find", counting_find)
    parts = ["Nvidia adds 5 GW", "AMD adds 6 GW", "Oracle adds 7 GW", "OpenAI signs"]
    for n in (200, 800):
        read = 0
        text = ", ".join(parts[i % 4] for i in range(n))
        figures = list(iter_figures(text, matcher, "en"))
        assert len(figures) == n * 3 // 4
        assert all(len(f.quote) <= 700 for f in figures)
        assert read <= 4_000 * len(figures) + 2 * len(text)  # linear: per figure, a window
    assert figures[-1].subject == "Oracle"


# ------------------------------------------------------------------ accepted signals


@dataclass
class Row:
    """A stored signal as facts.accepted_from reads it."""

    id: int
    metric: str
    value: Any
    subject: str = "ChatGPT"
    state: str = "accepted"
    published: datetime = datetime(2025, 10, 1, tzinfo=UTC)
    news_title: str = "t"
    feed: str = "wire"
    quote: str = "q"
    qualifier: str | None = None
    link: str | None = None


@pytest.mark.parametrize(("metric", "value"), [
    ("weekly_active_users", math.inf), ("weekly_active_users", math.nan),
    ("weekly_active_users", 7e12), ("weekly_active_users", -5.0), ("weekly_active_users", 0.0),
    ("capacity_gw", -5.0), ("capacity_gw", 1e308), ("commitment_usd", math.inf),
    ("commitment_usd", None), ("capacity_gw", "10"),
])
def test_accepted_signals_out_of_range_never_become_facts(config, metric, value):
    subject = "ChatGPT" if metric == "weekly_active_users" else "Nvidia"
    good = Row(1, metric, 20.0 if metric == "capacity_gw" else 900e6, subject)
    if metric == "commitment_usd":
        good = Row(1, metric, 5e9, subject)
    bad = Row(2, metric, value, subject)
    accepted = F.accepted_from([good, bad])
    assert [a.signal_id for a in accepted] == [1]
    # The same guard where figures enter the story, however they were made.
    forged = F.AcceptedFigure(3, metric, value, subject, date(2025, 10, 2), "t", "wire")
    story = F.with_accepted(config.story, [forged])
    assert story.users == config.story.users and story.events == config.story.events
    snap = F.snapshot(F.with_accepted(config.story, accepted), date(2026, 1, 1))
    for tv in (V.partners_view(snap), V.compute_view(snap), V.users_view(snap).table):
        for row in tv.rows:
            for cell in row.cells:
                assert "inf" not in str(cell) and "nan" not in str(cell)


# -------------------------------------------------------------------------- the views


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_figures_show_as_unknown(value):
    assert V.money(value) == V.gigawatts(value) == V.users(value) == "—"
    assert V.money(value, "up_to") == "—"
    assert V.bar(value, 10, 8) == V.bar(5, value, 8) == V.bar(value, value, 8)
    assert V.field_value("commitment_usd", value) == "—"


def test_growth_from_or_to_zero_users_is_signed_and_divides_by_nothing():
    users = [F.UserCount("ChatGPT", date(2025, 9, 1), 100e6, "s"),
             F.UserCount("ChatGPT", date(2025, 9, 8), 0.0, "s"),
             F.UserCount("ChatGPT", date(2025, 9, 15), 100e6, "s")]
    story = F.Story("t", "OpenAI", {"s": F.Source("s", "a", date(2025, 1, 1))}, (),
                    tuple(users), (), (), 90)
    snap = F.snapshot(story, date(2025, 10, 1))
    view = V.users_view(snap)
    texts = [str(cell) for row in view.table.rows for cell in row.cells]
    assert "+-" not in "".join(texts) and "−-" not in "".join(texts)
    assert "−100M/wk" in texts and "+100M/wk" in texts
    down, up = snap.users["ChatGPT"][1], snap.users["ChatGPT"][2]
    assert V.growth_text(down) == "−100M (-100%)"
    assert V.growth_text(up) == "+100M"  # no ratio from zero
    assert V.per_week_text(None) == V.per_week_text(0.0) == V.per_week_text(math.nan) == ""


# ------------------------------------------------------------------------------- dump


def test_dump_json_is_strict_whatever_the_store_holds(tmp_path, capsys):
    data_dir = tmp_path / "data"
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        store.record_result(ok(), [item("a", hours_ago=1)], NOW, LIMITS)
        (news,) = store.latest_items()
        bad = [{"metric": "commitment_usd", "value": math.inf, "unit": "USD",
                "subject": "Nvidia"},
               {"metric": "weekly_active_users", "value": 7e12, "unit": "users",
                "subject": "ChatGPT"},
               {"metric": "capacity_gw", "value": -math.inf, "unit": "GW", "subject": "Oracle"}]
        # The store refuses such figures now; an older store (or a hand edit) may hold them.
        for figure in bad:
            store._conn.execute(
                "INSERT INTO signals (news_id, metric, value, unit, subject, quote, state, "
                "created_at) VALUES (?, ?, ?, ?, ?, '', 'accepted', ?)",
                (news.id, figure["metric"], figure["value"], figure["unit"], figure["subject"],
                 NOW.isoformat()))
        store._conn.commit()
    assert main(["dump", "--format", "json", "--config", str(CONFIG_DIR),
                 "--data", str(data_dir)]) == 0
    captured = capsys.readouterr()
    data = strict_json(captured.out)
    # The non-finite rows are skipped and said so on stderr; the implausible one is a
    # signal still, never a fact.
    assert [s["value"] for s in data["signals"]] == [7e12]
    assert "2 unreadable stored rows skipped" in captured.err
    assert all(u["weekly_active_users"] != 7e12 for u in data["users"])
    assert main(["dump", "--config", str(CONFIG_DIR), "--data", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"(?i)\binf\b|\bnan\b|\$inf", out) is None


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_write_json_never_writes_nan_or_infinity(value):
    import io

    out = io.StringIO()
    dump.write_json({"a": value, "b": [value, {"c": (value, 1.5)}], "d": "inf"}, out)
    assert strict_json(out.getvalue()) == {"a": None, "b": [None, {"c": [None, 1.5]}],
                                           "d": "inf"}


# ------------------------------------------------------------------------------ ingest


def _figure(quote: str, value: float = 100e9, metric: str = "commitment_usd",
            subject: str | None = "Nvidia") -> Figure:
    return Figure(metric, value, "USD", None, subject, quote, 0, 1)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_ingest_writers_never_write_a_non_finite_number(value):
    with pytest.raises(ValueError):
        to_toml([_figure("q", value)], "s", "en")
    assert strict_json(to_json([_figure("q", value)])) == []


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=60)
PLAUSIBLE = st.sampled_from(TRACKED_METRICS).flatmap(
    lambda m: st.tuples(st.just(m), st.floats(*limits.RANGES[m])))


@settings(max_examples=200)
@given(ANY_TEXT, ANY_TEXT, PLAUSIBLE, st.sampled_from(["Nvidia", "ChatGPT", "Elsewhere"]))
def test_ingest_toml_round_trips_through_tomllib(quote, source_id, metric_value, subject):
    metric, value = metric_value
    fig = Figure(metric, value, "u", "about", subject, quote, 0, 1)
    written = to_toml([fig], source_id, "en")
    data = tomllib.loads(written)
    assert data["proposed"][0]["quote"] == _no_surrogates(quote)
    assert data["source"][0]["id"] == _no_surrogates(source_id)
    assert data["proposed"][0]["value"] == pytest.approx(value, rel=1e-15)
    facts_toml = to_facts_toml([fig], source_id, "en", title=quote,
                               published=date(2025, 9, 23), partners={"Nvidia"})
    facts = tomllib.loads(facts_toml)
    assert facts["source"][0]["title"] == _no_surrogates(quote or source_id)
    for text in (written, facts_toml):
        # Nothing that drives a terminal or reorders text is written raw.
        assert not any(0x80 <= ord(c) <= 0x9F or c in "\u202e\u2066\u200f\x1b" for c in text)


def _no_surrogates(s: str) -> str:
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in s)


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_ingest_render_of_any_text_is_valid_toml_and_strict_json(text):
    body = f"OpenAI et Nvidia : 10 GW, {text} ChatGPT a 800 millions d'utilisateurs " \
           f"hebdomadaires. {text}"
    data = tomllib.loads(render(body, MATCHER, published=date(2025, 9, 23),
                                partners={"Nvidia"}, products={"ChatGPT"}))
    assert data["source"][0]["id"] == "new-source"
    for signal in strict_json(render(body, MATCHER, fmt="json")):
        assert limits.plausible(signal["metric"], signal["value"])
        assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f]",
                             signal["quote"])


def test_ingest_quotes_go_through_the_text_cleaner(capsys, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Nvidia \u202eva investir\u202c 100 milliards de dollars\x9b2J dans "
                       "OpenAI\u200b.\n", encoding="utf-8")
    for fmt in ("toml", "json"):
        assert main(["ingest", str(article), "--format", fmt, "--config", str(CONFIG_DIR)]) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in "\u202e\u202c\x9b\u200b"), out
    assert "Nvidia va investir 100 milliards de dollars dans OpenAI." in out


@pytest.mark.parametrize(("content", "reason"), [
    (b"ChatGPT 800 million weekly users\x00\x00\x01", "binary"),
    (bytes(range(256)) * 400, "binary"),
    (b"\xff\xfe" + "10 GW for Nvidia".encode("utf-16-le"), "binary"),
    (b"Nvidia 10 GW " + bytes([0x80, 0xC3, 0xFF, 0xFE]) * 5000, "not UTF-8"),
    (b"10 GW " + b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x1b" * 2000, "binary"),
])
def test_ingest_refuses_binary_input_in_one_line(tmp_path, capsys, content, reason):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(content)
    assert main(["ingest", str(blob), "--config", str(CONFIG_DIR)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and reason in captured.err
    assert captured.err.startswith(f"{blob}: ")


def test_ingest_reads_text_with_a_few_stray_bytes():
    raw = "\ufeffNvidia investit 100 milliards de dollars.".encode() + b"\xff" * 3
    text = read_text(raw)
    assert text.startswith("Nvidia") and text.endswith("\ufffd" * 3)


def test_ingest_refuses_a_file_past_the_cap_without_reading_it_all(tmp_path, capsys,
                                                                    monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"Nvidia adds 10 GW. " * (ingest_module.MAX_INPUT_BYTES // 19 + 1))
    assert big.stat().st_size > ingest_module.MAX_INPUT_BYTES
    read_sizes: list[int] = []
    real_read_text = ingest_module.read_text

    def spy(raw: bytes) -> str:
        read_sizes.append(len(raw))
        return real_read_text(raw)

    monkeypatch.setattr(ingest_module, "read_text", spy)
    assert main(["ingest", str(big), "--config", str(CONFIG_DIR)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "larger than 16 MiB" in err
    assert read_sizes == [ingest_module.MAX_INPUT_BYTES + 1]


def test_ingest_proposes_a_bounded_number_of_figures():
    text = " ".join(f"Nvidia adds {n / 10:.1f} GW." for n in range(1, 1501))
    warnings: list[str] = []
    out = render(text, MATCHER, fmt="json", warn=warnings.append)
    assert len(strict_json(out)) == ingest_module.MAX_PROPOSALS
    assert warnings == ["500 more figures left out: ingest proposes at most 1,000"]


def test_splitting_a_long_block_never_copies_the_rest_of_it():
    """Each sentence cut copied the rest of its block to find the next letter: quadratic in a
    long paragraph (10 MB of figures took 102 s). Splitting now allocates only small things."""
    import tracemalloc

    from dealdesk.news.signals import _iter_sentence_spans

    text = "Nvidia adds 10 GW. Oracle adds 4.5 GW! AMD adds 6 GW? " * 20_000  # ~1 MB
    tracemalloc.start()
    try:
        count = sum(1 for _ in _iter_sentence_spans(text))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < len(text) // 10, peak


def test_the_enrichment_pass_stores_only_plausible_figures(tmp_path):
    from dealdesk.news.enrich import enrich_pending

    def figures(title: str, summary: str) -> list[Any]:
        return [{"metric": "capacity_gw", "value": 10.0, "unit": "GW", "subject": "Nvidia"},
                {"metric": "capacity_gw", "value": math.inf, "unit": "GW", "subject": "AMD"},
                {"metric": "weekly_active_users", "value": 7e12, "subject": "ChatGPT"},
                _figure("q", -5e9)]

    with Store.open(tmp_path / "d" / "dealdesk.sqlite3") as store:
        store.record(ok(), [item("a")], NOW, LIMITS, pending=True)
        report = enrich_pending(store, MATCHER, figures, NOW)
        assert (report.items, report.signals) == (1, 1)
        assert [(s.metric, s.value) for s in store.signals()] == [("capacity_gw", 10.0)]


def test_ingest_from_stdin_is_bounded_and_refuses_binary(monkeypatch, capsys):
    import io
    import sys

    class Stdin:
        buffer = io.BytesIO(b"\x00\x01binary" * 1000)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["ingest", "-", "--config", str(CONFIG_DIR)]) == 2
    assert capsys.readouterr().err == "-: binary data (NUL bytes), not text\n"
