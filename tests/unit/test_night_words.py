"""The words of a decided night (medtrack.core.night_words): one function per state makes its
guidance, so a state added to core.rules without its words fails here, not on a patient's night."""

from __future__ import annotations

from medtrack.core.night_words import GUIDANCE
from medtrack.core.rules import TonightState


def test_every_state_has_its_guidance() -> None:
    assert set(GUIDANCE) == set(TonightState)
