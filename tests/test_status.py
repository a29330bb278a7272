"""Status signals (news/status.py): a labelled corpus of EN and FR headlines, half traps.

The corpus is tests/data/status_headlines.tsv; the rules are patterns by verb class with
hedge, negation and third-party scopes, so the test measures them on headlines they were not
written around as well as on those they were.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealdesk.config import load
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.status import find_statuses, fold

from .feedserver import finishes_within

CORPUS = Path(__file__).parent / "data" / "status_headlines.tsv"
CONFIG = Path(__file__).parents[1] / "config"


def _corpus() -> list[tuple[str, str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, subject, headline = line.split("\t")
        rows.append((label, subject, headline))
    return rows


@pytest.fixture(scope="module")
def story_matcher() -> tuple[EntityMatcher, str, set[str]]:
    story = load(CONFIG).story
    return EntityMatcher(story.entities()), story.company, {p.name for p in story.partners}


def test_status_corpus_is_large_and_half_traps() -> None:
    rows = _corpus()
    traps = [r for r in rows if r[0] == "-"]
    assert len(rows) >= 80
    assert abs(len(traps) - len(rows) / 2) <= len(rows) * 0.05
    assert any("é" in r[2] or "à" in r[2] for r in rows if r[0] != "-")  # French positives
    assert any("é" in r[2] or "à" in r[2] for r in traps)  # French traps


def test_status_precision_and_recall_on_labelled_headlines(
    story_matcher: tuple[EntityMatcher, str, set[str]], capsys: pytest.CaptureFixture[str],
) -> None:
    matcher, company, partners = story_matcher
    true_pos = predicted = positives = 0
    misses: list[str] = []
    for label, subject, headline in _corpus():
        found = {(s.status, s.subject)
                 for s in find_statuses(headline, matcher, tracked=company, partners=partners)}
        positives += label != "-"
        predicted += bool(found)
        hit = label != "-" and (label, subject) in found
        true_pos += hit
        if (label != "-") != hit or (found and not hit):
            misses.append(f"{label:>16} {sorted(found)!s:40} {headline}")
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / positives
    with capsys.disabled():
        print(f"\nstatus signals: precision {precision:.1%} ({true_pos}/{predicted}), "
              f"recall {recall:.1%} ({true_pos}/{positives})")
        for miss in misses:
            print("  miss:", miss)
    assert precision >= 0.90
    assert recall >= 0.80


@pytest.mark.parametrize(
    "text",
    [
        "OpenAI Oracle signs " + "a'a-" * 240,
        "OpenAI Oracle signs " + "'-" * 480,
        "OpenAI Oracle deal " + "-'" * 480 + " collapses",
        "OpenAI Oracle puts " + "a " * 400 + " on hold",
        "OpenAI Oracle " + "signs " * 160,
        ("Oracle signs definitive agreement with OpenAI. " * 400),
    ],
)
def test_status_patterns_stay_linear_on_hostile_text(text: str) -> None:
    """Words and gaps are disjoint classes: a run of apostrophes and hyphens once made the
    engine try every split of it (minutes for one sentence)."""
    matcher = EntityMatcher({"OpenAI": [], "Oracle": []})
    found = finishes_within(5.0, find_statuses, text, matcher)
    assert isinstance(found, list)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nvidia-OpenAI deal put on hold", ("stalled", "Nvidia")),
        ("Oracle se retire du contrat avec OpenAI", ("ended", "Oracle")),
        ("AMD officialise la fin de son partenariat avec OpenAI", ("ended", "AMD")),
        ("Microsoft, OpenAI ink definitive pact", ("definitive", "Microsoft")),
        ("Oracle and OpenAI sign non-binding framework agreement", ("letter-of-intent", "Oracle")),
    ],
)
def test_status_rules_by_class(text: str, expected: tuple[str, str]) -> None:
    matcher = EntityMatcher({"OpenAI": [], "Oracle": [], "Nvidia": [], "AMD": [],
                             "Microsoft": []})
    assert [(s.status, s.subject) for s in find_statuses(text, matcher)] == [expected]


def test_fold_keeps_offsets() -> None:
    text = "L’accord est gelé — Œuvre İstanbul"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("l'accord est gele")
