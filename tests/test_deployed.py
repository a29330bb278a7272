"""Deployed capacity (news/deployed.py): gigawatts running now are `deployed_gw`, distinct
from planned capacity; plans, futures and hedges stay `capacity_gw`."""

from __future__ import annotations

import pytest

from dealdesk.news.signals import find_figures

DEPLOYED, PLANNED = "deployed_gw", "capacity_gw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oracle now has 1.2 GW online for OpenAI in Abilene.", [DEPLOYED]),
        ("CoreWeave has deployed 2 GW for OpenAI.", [DEPLOYED]),
        ("The first 1 GW came online in Abilene.", [DEPLOYED]),
        ("The site has 200 MW operational.", [DEPLOYED]),
        ("Microsoft says 3 gigawatts are now up and running for OpenAI.", [DEPLOYED]),
        ("AMD a mis en service 1 GW pour OpenAI.", [DEPLOYED]),
        ("1 GW de capacité est déjà en service.", [DEPLOYED]),
        ("Nvidia compte 2 GW opérationnels pour OpenAI.", [DEPLOYED]),
        ("10 GW planned, 1 GW online today.", [PLANNED, DEPLOYED]),
        ("Nvidia plans to deploy 10 GW with OpenAI.", [PLANNED]),
        ("Stargate will bring 5 GW online by 2028.", [PLANNED]),
        ("10 GW to be deployed starting in 2026.", [PLANNED]),
        ("Les 10 GW seront mis en service d'ici 2029.", [PLANNED]),
        ("OpenAI will deploy 6 GW of AMD GPUs.", [PLANNED]),
        ("The 4.5 GW could be operational next year.", [PLANNED]),
        ("Oracle expects 2 GW online in 2027.", [PLANNED]),
        ("Broadcom will help OpenAI deploy 10 GW of custom chips.", [PLANNED]),
    ],
)
def test_deployed_gigawatts_are_told_from_planned(text: str, expected: list[str]) -> None:
    assert [f.metric for f in find_figures(text)] == expected


def test_deployed_figure_keeps_value_and_unit() -> None:
    (fig,) = find_figures("OpenAI now has 750 MW online.")
    assert (fig.metric, fig.value, fig.unit) == (DEPLOYED, 0.75, "GW")
