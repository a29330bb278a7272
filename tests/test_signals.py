"""Figures in English and French news: a table of phrasings, traps, and round-trip properties."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealdesk.news.entities import EntityMatcher
from dealdesk.news.signals import (
    Figure,
    detect_lang,
    find_figures,
    parse_number,
    split_sentences,
)

MATCHER = EntityMatcher(
    {
        "Nvidia": ["NVDA", "NVIDIA"],
        "Microsoft": ["MSFT", "Azure"],
        "Oracle": ["OCI", "ORCL"],
        "AMD": [],
        "Broadcom": ["AVGO"],
        "CoreWeave": [],
        "AWS": ["Amazon Web Services", "Amazon"],
        "Cerebras": [],
        "Stargate": [],
        "SoftBank": [],
        "ChatGPT": [],
        "OpenAI": [],
    }
)

USD, GW, USERS = "commitment_usd", "capacity_gw", "weekly_active_users"
NBSP, NNBSP = "\u00a0", "\u202f"


def case(id, text, *expected, lang=None):
    """One row: `expected` are (metric, value, qualifier, subject) in order of mention."""
    return pytest.param(text, lang, list(expected), id=id)


FIGURES = [
    # ---------------------------------------------------------------- money, English
    case("en-usd-billion", "Nvidia will invest up to $100 billion in OpenAI.",
         (USD, 100e9, "up_to", "Nvidia")),
    case("en-usd-bn", "OpenAI signed a $38bn deal with Amazon Web Services.",
         (USD, 38e9, None, "AWS")),
    case("en-usd-B", "Oracle's $300B contract with OpenAI starts in 2027.",
         (USD, 300e9, None, "Oracle")),
    case("en-us-dollar-trillion", "OpenAI has committed about US$1.4 trillion to compute.",
         (USD, 1.4e12, "about", "OpenAI")),
    case("en-usd-code", "CoreWeave's contracts with OpenAI total USD 22.4 billion.",
         (USD, 22.4e9, None, "CoreWeave")),
    case("en-dollars-word", "Microsoft has invested 13 billion dollars in OpenAI.",
         (USD, 13e9, None, "Microsoft")),
    case("en-more-than", "Microsoft has invested more than $13 billion in OpenAI since 2019.",
         (USD, 13e9, "more_than", "Microsoft")),
    case("en-over", "Cerebras signed a deal worth over $10 billion with OpenAI.",
         (USD, 10e9, "more_than", "Cerebras")),
    case("en-roughly", "Roughly $50 billion will come from Amazon.",
         (USD, 50e9, "about", "AWS")),
    case("en-english-thousands", "OpenAI's commitments reach $1,400 billion.",
         (USD, 1.4e12, None, "OpenAI")),
    case("en-subject-after", "OpenAI agreed to buy $300 billion of computing power from Oracle.",
         (USD, 300e9, None, "Oracle")),
    case("en-subject-same-clause",
         "OpenAI, which relies on Microsoft Azure, signed a $38 billion contract with Amazon.",
         (USD, 38e9, None, "AWS")),
    case("en-subject-before-wins-clause",
         "SoftBank leads OpenAI's $40 billion round, with Microsoft taking part.",
         (USD, 40e9, None, "SoftBank")),
    case("en-bare-with-deal-word", "The Oracle deal is worth 300 billion.",
         (USD, 300e9, None, "Oracle")),
    # ---------------------------------------------------------------- money, French
    case("fr-milliards-de-dollars",
         "Nvidia s’engage à investir jusqu’à 100 milliards de dollars dans OpenAI.",
         (USD, 100e9, "up_to", "Nvidia")),
    case("fr-md-dollar", "Microsoft a investi 13 Md$ dans OpenAI.",
         (USD, 13e9, None, "Microsoft")),
    case("fr-m-dollar-grouped", "CoreWeave a signé un contrat de 6 500 M$ avec OpenAI.",
         (USD, 6.5e9, None, "CoreWeave")),
    case("fr-bare-accord", "L’accord avec Oracle porte sur 300 milliards.",
         (USD, 300e9, None, "Oracle"), lang="fr"),
    case("fr-space-thousands", "OpenAI a pris des engagements de 1 400 milliards de dollars.",
         (USD, 1.4e12, None, "OpenAI")),
    case("fr-nbsp", f"Oracle a signé un contrat de 300{NBSP}milliards de dollars avec OpenAI.",
         (USD, 300e9, None, "Oracle")),
    case("fr-narrow-nbsp",
         f"OpenAI s’est engagé à dépenser 1{NNBSP}400{NBSP}milliards de dollars.",
         (USD, 1.4e12, None, "OpenAI")),
    case("fr-decimal-comma",
         "CoreWeave a conclu des contrats pour 22,4 milliards de dollars avec OpenAI.",
         (USD, 22.4e9, None, "CoreWeave")),
    case("fr-billion-is-1e12", "OpenAI a pris des engagements de 1,4 billion de dollars.",
         (USD, 1.4e12, None, "OpenAI")),
    case("fr-dollar-prefix-billion-is-english",
         "Nvidia promet d’investir $100 billion dans OpenAI.",
         (USD, 100e9, None, "Nvidia"), lang="fr"),
    case("fr-plus-de",
         "Microsoft reste un investisseur majeur, avec plus de 13 milliards de dollars "
         "investis depuis 2019.",
         (USD, 13e9, "more_than", "Microsoft")),
    case("fr-environ", "Amazon investira environ 50 milliards de dollars dans OpenAI.",
         (USD, 50e9, "about", "AWS")),
    case("fr-environ-after", "Amazon investira 50 milliards de dollars environ dans OpenAI.",
         (USD, 50e9, "about", "AWS")),
    case("fr-levee", "OpenAI a levé 40 milliards de dollars auprès de SoftBank.",
         (USD, 40e9, None, "SoftBank")),
    case("fr-accord-avec", "OpenAI a signé un accord de 300 milliards de dollars avec Oracle.",
         (USD, 300e9, None, "Oracle")),
    # ---------------------------------------------------------------- power
    case("en-at-least-gw", "OpenAI will deploy at least 10 GW of Nvidia systems.",
         (GW, 10, "at_least", "Nvidia")),
    case("en-gigawatts",
         "Broadcom and OpenAI will deploy 10 gigawatts of custom accelerators.",
         (GW, 10, None, "Broadcom")),
    case("en-mw-to-gw", "Cerebras will supply up to 750 MW through 2028.",
         (GW, 0.75, "up_to", "Cerebras")),
    case("en-megawatts", "The first site draws 200 megawatts for Oracle.",
         (GW, 0.2, None, "Oracle")),
    case("en-decimal-gw", "Oracle will add 4.5 GW of capacity for OpenAI.",
         (GW, 4.5, None, "Oracle")),
    case("en-two-figures", "Cerebras will deliver up to 750 MW for more than $10 billion.",
         (GW, 0.75, "up_to", "Cerebras"), (USD, 10e9, "more_than", "Cerebras")),
    case("en-two-gw", "AMD will supply 6 GW to OpenAI, starting with 1 GW in 2026.",
         (GW, 6, None, "AMD"), (GW, 1, None, "AMD")),
    case("en-plus-suffix", "OpenAI has 10+ GW planned with Broadcom.",
         (GW, 10, "more_than", "Broadcom")),
    # Deployed, not planned: news.deployed reads the state (tests/test_deployed.py).
    case("en-gw-then-h-word", "10 GW have been deployed by Oracle.",
         ("deployed_gw", 10, None, "Oracle")),
    case("en-plus-prefix-is-an-increment", "Oracle adds +4.5 GW for OpenAI.",
         (GW, 4.5, None, "Oracle")),
    case("fr-au-moins-gigawatts",
         "OpenAI prévoit de déployer au moins 10 gigawatts de datacenters reposant sur Nvidia.",
         (GW, 10, "at_least", "Nvidia")),
    case("fr-mw", "Cerebras fournira jusqu’à 750 MW à OpenAI.",
         (GW, 0.75, "up_to", "Cerebras")),
    case("fr-decimal-gw", "Oracle ajoutera 4,5 GW pour OpenAI.",
         (GW, 4.5, None, "Oracle")),
    case("fr-ou-plus", "OpenAI vise 10 GW ou plus avec Broadcom.",
         (GW, 10, "at_least", "Broadcom")),
    # ---------------------------------------------------------------- weekly users
    case("en-wau-words", "ChatGPT now has 800 million weekly active users.",
         (USERS, 800e6, None, "ChatGPT")),
    case("en-wau-abbr", "OpenAI says ChatGPT reached 900M WAU.",
         (USERS, 900e6, None, "ChatGPT")),
    case("en-weekly-users-over", "ChatGPT has over 200 million weekly users, OpenAI told Axios.",
         (USERS, 200e6, "more_than", "ChatGPT")),
    case("en-users-after-noun", "ChatGPT's weekly active users reached 800 million in October.",
         (USERS, 800e6, None, "ChatGPT")),
    case("en-people-a-week", "About 700 million people a week use ChatGPT.",
         (USERS, 700e6, "about", "ChatGPT")),
    case("en-users-tracked-company", "OpenAI now serves 900M+ WAU.",
         (USERS, 900e6, "more_than", "OpenAI")),
    case("fr-users-seed",
         "ChatGPT compte désormais 700 millions d’utilisateurs hebdomadaires actifs.",
         (USERS, 700e6, None, "ChatGPT")),
    case("fr-users-actifs-hebdomadaires",
         "ChatGPT revendique plus de 800 millions d'utilisateurs actifs hebdomadaires.",
         (USERS, 800e6, "more_than", "ChatGPT")),
    case("fr-users-par-semaine", "ChatGPT touche 900 millions d’utilisateurs par semaine.",
         (USERS, 900e6, None, "ChatGPT")),
    case("fr-users-after-noun",
         "Les utilisateurs hebdomadaires actifs atteignent 800 millions, selon OpenAI.",
         (USERS, 800e6, None, "OpenAI")),
    case("fr-users-product-over-partner",
         "Microsoft observe que ChatGPT a 700 millions d’utilisateurs hebdomadaires.",
         (USERS, 700e6, None, "ChatGPT")),
    # ================================================================ traps
    # years, dates, percentages
    case("trap-year", "In 2025, OpenAI signed deals with Oracle and Nvidia."),
    case("trap-year-fr", "Depuis 2019, Microsoft soutient OpenAI."),
    case("trap-date-iso", "Nvidia announced the deal on 2025-09-22."),
    case("trap-date-fr-slash", "Le 23/09/2025, Nvidia a confirmé l’accord."),
    case("trap-date-en", "On September 22, 2025, Nvidia and OpenAI signed a letter of intent."),
    case("trap-quarter-half", "Nvidia guided for Q3 2025 and H2 2026 deliveries."),
    case("trap-percent", "Microsoft holds a 27% stake in OpenAI."),
    case("trap-percent-fr", "Microsoft détient environ 27 % d’OpenAI."),
    case("trap-year-then-gw", "OpenAI raised its target in 2026 to 10 GW.",
         (GW, 10, None, "OpenAI")),
    # prices and rates
    case("trap-price-month", "ChatGPT Plus costs $20 per month."),
    case("trap-price-slash", "ChatGPT Pro costs $200/month."),
    case("trap-price-fr", "L’abonnement ChatGPT Plus coûte 20 $ par mois."),
    case("trap-price-hour", "An H100 rents for about $2 an hour on CoreWeave."),
    case("trap-token-price", "GPT-5 costs $1.25 per million input tokens."),
    case("trap-rate-per-year", "Oracle expects $60 billion a year from OpenAI."),
    case("trap-gw-per-week", "Altman wants a factory producing 1 GW a week."),
    case("trap-small-amount", "OpenAI paid $500,000 for the domain."),
    # codes and model names
    case("trap-10-K", "Microsoft’s 10-K shows it has invested $13 billion in OpenAI.",
         (USD, 13e9, None, "Microsoft")),
    case("trap-10-K-alone", "Microsoft filed its 10-K in July."),
    case("trap-gpt-5", "GPT-5 was released in August 2025."),
    case("trap-gpt-5-fr", "OpenAI a lancé GPT-5 le 7 août 2025."),
    case("trap-5g", "The 5G rollout helped AMD."),
    case("trap-model-size", "Llama 3.1 405B was trained on 16,000 H100 GPUs."),
    case("trap-chip-names", "Nvidia’s GB200 NVL72 and AMD’s MI450 chips ship in 2026."),
    case("trap-gwh", "The Stargate site stores 10 GWh of energy."),
    case("trap-gigawatts-heure", "Une centrale de 2 gigawatts-heure pour Oracle."),
    # ranges and parts
    case("trap-range-gw", "OpenAI plans 5-10 GW of new capacity with Oracle.",
         (GW, 10, "up_to", "Oracle")),
    case("trap-range-usd", "The CoreWeave deal is worth $10-20 billion.",
         (USD, 20e9, "up_to", "CoreWeave")),
    case("trap-range-between",
         "The deal is worth between $10 billion and $20 billion to CoreWeave.",
         (USD, 20e9, "up_to", "CoreWeave")),
    case("trap-range-to", "Broadcom will deploy 5 to 10 GW.",
         (GW, 10, "up_to", "Broadcom")),
    case("trap-range-fr-de-a", "Le campus Stargate fera de 5 à 10 GW.",
         (GW, 10, "up_to", "Stargate")),
    case("trap-range-fr-entre", "Broadcom déploiera entre 5 et 10 GW.",
         (GW, 10, "up_to", "Broadcom")),
    case("trap-and-is-not-range", "Nvidia will deploy 5 GW and AMD 6 GW.",
         (GW, 5, None, "Nvidia"), (GW, 6, None, "AMD")),
    case("trap-part-of-whole", "OpenAI has brought 5 GW of the 10 GW planned with Nvidia online.",
         ("deployed_gw", 5, None, "Nvidia"), (GW, 10, None, "Nvidia")),
    case("trap-part-of-whole-fr", "Nvidia a livré 1 GW sur les 10 GW promis à OpenAI.",
         (GW, 1, None, "Nvidia"), (GW, 10, None, "Nvidia")),
    case("trap-no-more-than", "Spending on AWS is capped at no more than $50 billion.",
         (USD, 50e9, "up_to", "AWS")),
    # not commitments
    case("trap-valuation", "Microsoft’s stake in OpenAI is valued at $135 billion."),
    case("trap-market-value", "Nvidia’s market value passed $4.5 trillion."),
    case("trap-revenue", "OpenAI expects $13 billion in revenue this year."),
    case("trap-valorisation-fr", "OpenAI vise une valorisation de 500 milliards de dollars."),
    case("trap-profits",
         "Sufficient AGI means a system that can generate over $100 billion in profits."),
    # other currencies
    case("trap-euros-fr", "Mistral a levé 1,7 milliard d’euros."),
    case("trap-euro-sign", "The EU pledged €200 billion for AI gigafactories."),
    case("trap-pounds", "Microsoft will invest £22 billion in the UK."),
    case("trap-canadian-dollar-sign", "A C$2 billion deal with Cohere."),
    case("trap-dollars-canadiens", "Nvidia investira 100 milliards de dollars canadiens."),
    case("trap-bare-in-euro-sentence", "Un accord de 300 milliards, en euros, avec Oracle."),
    case("trap-us-dollar-is-not-foreign",
         "Oracle's deal is worth US$300 billion, plus 100 billion in options.",
         (USD, 300e9, None, "Oracle"), (USD, 100e9, None, "Oracle")),
    # counts of other things
    case("trap-parameters-fr",
         "GPT-5 compterait 1 000 milliards de paramètres, un financement record."),
    case("trap-shares", "AMD granted OpenAI a warrant for up to 160 million AMD shares."),
    case("trap-gpus", "The deal covers 100,000 GPUs from Nvidia."),
    case("trap-acres", "Oracle builds a 1,000-acre campus in Texas."),
    case("trap-millions-of-gpus", "Cela représente des millions de GPU pour Nvidia."),
    case("trap-bare-no-money-word", "Un partenariat stratégique à 100 milliards pour l’IA.",
         lang="fr"),
    # users that are not weekly levels
    case("trap-monthly-users-fr", "ChatGPT compte 700 millions d’utilisateurs mensuels."),
    case("trap-plain-users", "ChatGPT has 700 million users."),
    case("trap-mau", "ChatGPT has 700 million monthly active users."),
    case("trap-users-added", "ChatGPT added 100 million weekly users since March."),
    case("trap-users-rose-by", "Weekly users rose by 100 million in two months."),
]


def _as_rows(figures: list[Figure]) -> list[tuple]:
    return [(f.metric, f.value, f.qualifier, f.subject) for f in figures]


@pytest.mark.parametrize(("text", "lang", "expected"), FIGURES)
def test_figures(text: str, lang: str | None, expected: list[tuple]) -> None:
    found = find_figures(text, MATCHER, lang)
    assert len(found) == len(expected), _as_rows(found)
    for fig, (metric, value, qualifier, subject) in zip(found, expected):
        assert (fig.metric, fig.qualifier, fig.subject) == (metric, qualifier, subject)
        assert math.isclose(fig.value, value, rel_tol=1e-12)
        assert fig.unit == {USD: "USD", GW: "GW", "deployed_gw": "GW", USERS: "users"}[metric]
        assert fig.quote == text.strip()


def test_table_is_large_and_half_traps() -> None:
    ids = [p.id for p in FIGURES]
    assert len(ids) == len(set(ids)) >= 80
    traps = [i for i in ids if i.startswith("trap-")]
    assert len(traps) * 2 >= len(ids)
    assert sum(i.startswith("fr-") or i.endswith("-fr") or "-fr-" in i for i in ids) >= 25


def test_span_points_at_the_figure_in_the_whole_text() -> None:
    text = (
        "OpenAI a annoncé un accord. Nvidia s’engage à investir jusqu’à 100 milliards de "
        "dollars dans OpenAI.\n\nChatGPT compte 700 millions d’utilisateurs hebdomadaires "
        "actifs."
    )
    money, users = find_figures(text, MATCHER)
    assert text[money.start : money.end] == "jusqu’à 100 milliards de dollars"
    assert money.quote.startswith("Nvidia s’engage") and money.quote.endswith("OpenAI.")
    assert text[users.start : users.end] == "700 millions d’utilisateurs hebdomadaires actifs"


def test_without_matcher_there_is_no_subject() -> None:
    [fig] = find_figures("Nvidia will invest up to $100 billion in OpenAI.")
    assert (fig.value, fig.subject) == (100e9, None)


def test_tracked_company_and_products_can_be_changed() -> None:
    text = "ChatGPT and Nvidia: OpenAI will deploy 10 GW."
    [fig] = find_figures(text, MATCHER, "en", tracked="Nvidia", products=())
    assert fig.subject == "OpenAI"


def test_language_changes_what_billion_and_comma_mean() -> None:
    [en] = find_figures("OpenAI plans 1,400 MW.", lang="en")
    [fr] = find_figures("OpenAI prévoit 1,400 MW.", lang="fr")
    assert (en.value, fr.value) == (1.4, 0.0014)
    [en] = find_figures("Nvidia will invest 1 billion dollars.", lang="en")
    [fr] = find_figures("Nvidia investira 1 billion de dollars.", lang="fr")
    assert (en.value, fr.value) == (1e9, 1e12)


def test_text_without_digits_is_skipped() -> None:
    assert find_figures("Nvidia et OpenAI annoncent un partenariat.", MATCHER) == []
    assert find_figures("", MATCHER) == []


# ------------------------------------------------------------------- number properties


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _decimal_text(d: Decimal, mark: str) -> str:
    return format(d.normalize(), "f").replace(".", mark)


def _one(sentence: str, lang: str) -> Figure:
    found = find_figures(sentence, MATCHER, lang)
    assert len(found) == 1, (sentence, found)
    return found[0]


def _gigawatts(sentence: str, lang: str) -> float | None:
    """The one GW figure of `sentence`, None when none is offered (beyond the plausible
    range of limits.RANGES, 1,000 GW, none ever is)."""
    found = find_figures(sentence, MATCHER, lang)
    assert len(found) <= 1, (sentence, found)
    return found[0].value if found else None


def _if_plausible(value: float) -> float | None:
    return value if value <= 1000 else None


@given(st.integers(min_value=0, max_value=10**12))
def test_english_thousands_parse_back(n: int) -> None:
    assert parse_number(f"{n:,}", "en") == n
    assert _gigawatts(f"OpenAI plans {n:,} GW.", "en") == _if_plausible(n)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([" ", NBSP, NNBSP]))
def test_space_grouped_thousands_parse_back(n: int, sep: str) -> None:
    written = _group(n, sep)
    for lang in ("fr", "en"):
        assert parse_number(written, lang) == n
    assert _gigawatts(f"OpenAI prévoit {written} GW.", "fr") == _if_plausible(n)


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_decimal_point_and_decimal_comma_agree(d: Decimal) -> None:
    point, comma = _decimal_text(d, "."), _decimal_text(d, ",")
    assert parse_number(point, "en") == parse_number(comma, "fr") == float(d)
    assert _gigawatts(f"OpenAI prévoit {comma} GW.", "fr") == _if_plausible(float(d))
    assert _gigawatts(f"OpenAI plans {point} GW.", "en") == _if_plausible(float(d))


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from([" ", NBSP, NNBSP]))
def test_money_in_every_style_is_the_same_value(billions: int, sep: str) -> None:
    """k billion dollars, written every way the module reads, is k * 1e9."""
    trillions = Decimal(billions) / 1000
    expected = billions * 1e9
    written = {
        "en": [
            f"${billions:,} billion",
            f"${billions:,}bn",
            f"${billions:,}B",
            f"US${_decimal_text(trillions, '.')} trillion",
            f"USD {_decimal_text(trillions, '.')} trillion",
            f"{billions:,} billion dollars",
        ],
        "fr": [
            f"{_group(billions, sep)} milliards de dollars",
            f"{_group(billions, sep)}{sep}Md$",
            f"{_decimal_text(trillions, ',')} billion de dollars",
            f"{_group(billions * 1000, sep)} M$",
        ],
    }
    for lang, styles in written.items():
        for style in styles:
            fig = _one(f"Nvidia investira {style} dans OpenAI.", lang)
            assert math.isclose(fig.value, expected, rel_tol=1e-12), style
            assert (fig.metric, fig.unit, fig.subject) == (USD, "USD", "Nvidia")


@given(st.integers(min_value=1, max_value=9_999), st.sampled_from([" ", NBSP, NNBSP]))
def test_users_and_power_in_every_style(millions: int, sep: str) -> None:
    users = [
        (f"ChatGPT has {millions:,} million weekly active users.", "en"),
        (f"ChatGPT has {millions:,}M WAU.", "en"),
        (f"ChatGPT compte {_group(millions, sep)} millions d’utilisateurs hebdomadaires.", "fr"),
    ]
    for sentence, lang in users:
        fig = _one(sentence, lang)
        assert (fig.metric, fig.value, fig.subject) == (USERS, millions * 1e6, "ChatGPT")
    megawatts = _one(f"Cerebras fournira {_group(millions, sep)} MW.", "fr")
    in_gw = _decimal_text(Decimal(millions) / 1000, ".")
    gigawatts = _one(f"Cerebras will supply {in_gw} GW.", "en")
    assert math.isclose(megawatts.value, gigawatts.value, rel_tol=1e-12)
    assert math.isclose(megawatts.value, millions / 1000, rel_tol=1e-12)


@pytest.mark.parametrize("raw", ["", "abc", "1,2,3x", "GPT-5", "1 40", "$100"])
def test_parse_number_refuses_what_is_not_a_number(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_number(raw)


# ----------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Nvidia will invest up to $100 billion in OpenAI, the companies said.", "en"),
        ("OpenAI says ChatGPT has 800 million weekly active users.", "en"),
        ("Nvidia va investir 100 milliards de dollars dans OpenAI.", "fr"),
        ("L’accord devrait être finalisé dans les prochaines semaines.", "fr"),
        ("OpenAI lève 40 milliards.", "fr"),
        ("ChatGPT compte 700 millions d’utilisateurs hebdomadaires actifs.", "fr"),
        ("10 GW", "en"),
        ("", "en"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


# ---------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "OpenAI's U.S. data centers will draw 10 GW. Oracle Inc. builds them. "
            "Mr. Ellison agreed.",
            ["OpenAI's U.S. data centers will draw 10 GW.", "Oracle Inc. builds them.",
             "Mr. Ellison agreed."],
            id="abbreviations",
        ),
        pytest.param(
            "Commitments reach $1.4 trillion. That is 1.4 times revenue.",
            ["Commitments reach $1.4 trillion.", "That is 1.4 times revenue."],
            id="decimals",
        ),
        pytest.param(
            "« Tout commence par le compute. L’infrastructure est la base », a déclaré "
            "Sam Altman. Puis M. Huang a parlé.",
            ["« Tout commence par le compute. L’infrastructure est la base », a déclaré "
             "Sam Altman.", "Puis M. Huang a parlé."],
            id="guillemets-keep-attribution",
        ),
        pytest.param(
            "Il a conclu : « C’est signé. » Nvidia confirme.",
            ["Il a conclu : « C’est signé. »", "Nvidia confirme."],
            id="guillemets-closing-sentence",
        ),
        pytest.param(
            "He said “It starts with compute. Then it scales,” Altman said. Done.",
            ["He said “It starts with compute. Then it scales,” Altman said.", "Done."],
            id="curly-quotes",
        ),
        pytest.param(
            "10 gigawatts de datacenters\nOpenAI prévoit 10 GW\nde plus. Fin!\n\nSuite ?",
            ["10 gigawatts de datacenters", "OpenAI prévoit 10 GW\nde plus.", "Fin!",
             "Suite ?"],
            id="lines-headings-and-wraps",
        ),
        pytest.param(
            "Is it final? No! The deal, e.g. the first GW, waits.",
            ["Is it final?", "No!", "The deal, e.g. the first GW, waits."],
            id="question-exclamation-eg",
        ),
        pytest.param("   ", [], id="blank"),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
