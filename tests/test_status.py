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
