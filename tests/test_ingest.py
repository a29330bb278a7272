"""`dealdesk ingest`: the seed article becomes its facts, as valid TOML and JSON."""

from __future__ import annotations

import json
import math
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dealdesk.news.ingest import ingest, render, to_json, to_toml
from dealdesk.news.signals import Figure

from .test_signals import MATCHER  # the same tracked names in both tables

# The copy in tests/data is what CI reads; the original sits in ../shared beside the clone
# when it is there, and then both are checked.
SEED_COPY = Path(__file__).parent / "data" / "seed_article_fr.txt"
SEED_SHARED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_43e1901a2e950569.txt"
SEEDS = [pytest.param(p, id=name) for p, name in [(SEED_COPY, "copy"), (SEED_SHARED, "shared")]
         if p.exists()]

SEED_FACTS = {
    ("capacity_gw", 10.0, "GW", "at_least", "Nvidia"),
    ("commitment_usd", 100e9, "USD", "up_to", "Nvidia"),
    ("weekly_active_users", 700e6, "users", None, "ChatGPT"),
    ("commitment_usd", 13e9, "USD", "more_than", "Microsoft"),
    ("commitment_usd", 300e9, "USD", None, "Oracle"),
}


def _facts(figures: list[Figure]) -> set[tuple]:
    return {(f.metric, f.value, f.unit, f.qualifier, f.subject) for f in figures}


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_COPY.read_text(encoding="utf-8")


def test_the_copy_is_there() -> None:
    assert SEED_COPY.exists(), "tests/data/seed_article_fr.txt is what CI reads"


@pytest.mark.parametrize("path", SEEDS)
def test_seed_article_yields_exactly_its_facts(path: Path) -> None:
    figures = ingest(path.read_text(encoding="utf-8"), None, MATCHER)
    assert len(figures) == len(SEED_FACTS)
    assert _facts(figures) == SEED_FACTS


def test_seed_facts_carry_their_sentences(seed_text: str) -> None:
    quotes = {(f.metric, f.subject): f.quote for f in ingest(seed_text, "fr", MATCHER)}
    assert quotes[("commitment_usd", "Nvidia")].startswith(
        "En parallèle, Nvidia s’engage à investir jusqu’à 100 milliards de dollars dans"
    )
    # The heading "10 gigawatts de datacenters…" says it too, but the hedged sentence wins.
    assert "au moins 10 gigawatts" in quotes[("capacity_gw", "Nvidia")]
    assert quotes[("commitment_usd", "Microsoft")] == (
        "Microsoft reste néanmoins un investisseur majeur, avec plus de 13 milliards de "
        "dollars investis depuis 2019."
    )
    for fig in ingest(seed_text, "fr", MATCHER):
        assert fig.quote in seed_text
        assert seed_text[fig.start : fig.end] in fig.quote


def test_language_is_detected(seed_text: str) -> None:
    assert ingest(seed_text, None, MATCHER) == ingest(seed_text, "fr", MATCHER)


def test_dedupe_keeps_the_hedged_copy_at_the_first_position() -> None:
    text = (
        "Nvidia: 10 GW.\n"
        "ChatGPT has 800 million weekly active users.\n"
        "Nvidia will deploy at least 10 GW. Nvidia will deploy 10 GW again.\n"
        "Broadcom will also deploy 10 GW."
    )
    figures = ingest(text, "en", MATCHER)
    assert [(f.metric, f.value, f.qualifier, f.subject) for f in figures] == [
        ("capacity_gw", 10, "at_least", "Nvidia"),
        ("weekly_active_users", 800e6, None, "ChatGPT"),
        ("capacity_gw", 10, None, "Broadcom"),
    ]


def test_toml_is_valid_and_round_trips(seed_text: str) -> None:
    figures = ingest(seed_text, "fr", MATCHER)
    text = to_toml(figures, "seed-2025-09", "fr")
    data = tomllib.loads(text)
    assert data["source"] == [{"id": "seed-2025-09", "lang": "fr"}]
    assert len(data["proposed"]) == len(figures)
    for table, fig in zip(data["proposed"], figures):
        assert table["source"] == "seed-2025-09"
        assert (table["metric"], table["unit"], table["quote"]) == (fig.metric, fig.unit, fig.quote)
        assert table["value"] == fig.value
        assert table.get("qualifier") == fig.qualifier
        assert table.get("subject") == fig.subject
    # Figures are written the way config/facts/ writes them.
    assert "value = 100e9" in text and "value = 700e6" in text and "value = 10\n" in text


def _figure(quote: str, value: float = 1.4e12, qualifier: str | None = None,
            subject: str | None = None) -> Figure:
    return Figure("commitment_usd", value, "USD", qualifier, subject, quote, 0, 1)


@pytest.mark.parametrize(
    "quote",
    [
        'He said "up to $100 billion" \\ twice.',
        "Line one\nline two\ttabbed\r\nend",
        "Control \x00\x1b\x7f characters",
        "« Guillemets », apostrophe ’, NBSP\u00a0and narrow\u202fspace",
        "Markup [bold]stays[/bold] literal, '''triple''' and \"\"\"quotes\"\"\"",
        "Emoji 🚀 and bidi \u202e text",
    ],
)
def test_toml_quotes_are_escaped(quote: str) -> None:
    data = tomllib.loads(to_toml([_figure(quote)], 'src "x"', "en"))
    assert data["proposed"][0]["quote"] == quote
    assert data["source"][0]["id"] == 'src "x"'


@pytest.mark.parametrize("value", [10, 0.75, 4.5, 13e9, 22.4e9, 1.4e12, 700e6, 2.5e15, 1e6, 0.2])
def test_toml_numbers_round_trip(value: float) -> None:
    table = tomllib.loads(to_toml([_figure("q", value)], "s", "en"))["proposed"][0]
    assert math.isclose(table["value"], value, rel_tol=1e-15)


def test_toml_leaves_out_what_is_unknown() -> None:
    table = tomllib.loads(to_toml([_figure("q")], "s", "en"))["proposed"][0]
    assert "qualifier" not in table and "subject" not in table


def test_toml_without_figures_is_a_source_stub() -> None:
    assert tomllib.loads(to_toml([], "s", "en")) == {"source": [{"id": "s", "lang": "en"}]}


def test_json_is_the_signals_shape(seed_text: str) -> None:
    figures = ingest(seed_text, "fr", MATCHER)
    signals = json.loads(to_json(figures))
    assert isinstance(signals, list) and len(signals) == len(figures)
    for signal, fig in zip(signals, figures):
        assert set(signal) == {"metric", "value", "unit", "subject", "quote", "news_id", "state"}
        assert isinstance(signal["value"], (int, float)) and signal["value"] == fig.value
        assert (signal["metric"], signal["unit"], signal["subject"], signal["quote"]) == (
            fig.metric, fig.unit, fig.subject, fig.quote,
        )
        assert signal["news_id"] is None and signal["state"] == "new"
    assert {s["metric"] for s in signals} <= {
        "weekly_active_users", "capacity_gw", "commitment_usd",
    }


def test_json_keeps_text_and_nulls() -> None:
    quote = 'Quote with "quotes", \\ and [bold]markup[/bold]\n'
    [signal] = json.loads(to_json([_figure(quote, 0.75)]))
    assert (signal["quote"], signal["value"], signal["subject"]) == (quote, 0.75, None)


def test_render_is_what_the_cli_prints(seed_text: str) -> None:
    toml_out = tomllib.loads(render(
        seed_text, MATCHER, source_id="seed-x", published=date(2025, 9, 23),
        partners={"Nvidia", "Microsoft", "Oracle"}, products={"ChatGPT"}))
    assert toml_out["source"][0]["id"] == "seed-x"
    assert toml_out["source"][0]["published"] == date(2025, 9, 23)
    assert len(toml_out["event"]) + len(toml_out["users"]) == len(SEED_FACTS)
    json_out = json.loads(render(seed_text, MATCHER, lang="fr", fmt="json"))
    assert {(s["metric"], s["value"], s["subject"]) for s in json_out} == {
        (m, v, s) for m, v, _, _, s in SEED_FACTS
    }
    with pytest.raises(ValueError, match="yaml"):
        render(seed_text, MATCHER, fmt="yaml")
