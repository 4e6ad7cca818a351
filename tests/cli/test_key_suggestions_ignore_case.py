"""An obligation key typed in the wrong case is answered with that obligation, not a
neighbour's: `ack ccm:afg:art4_clearance` suggests CCM:AFG:..., never CCM:ZMB:..."""

import pytest

from cli.choices import closest
from models.db import session_scope
from tests.reminders.factories import make_obligation

KEYS = ["CCM:AFG:art4_clearance", "CCM:ZMB:art4_clearance", "CCM:AFG:art7_annual:2026"]


def test_a_value_equal_but_for_case_is_the_one_meant():
    assert closest("ccm:afg:art4_clearance", KEYS) == ["CCM:AFG:art4_clearance"]
    assert closest("ccm:zmb:art4_clearance", KEYS) == ["CCM:ZMB:art4_clearance"]


def test_a_near_miss_in_the_wrong_case_is_still_matched_to_its_own_state():
    assert closest("ccm:afg:art7_anual:2026", KEYS) == ["CCM:AFG:art7_annual:2026"]
    assert closest("nothing like it", KEYS) == []


@pytest.fixture
def obligations(database_url):
    with session_scope() as session:
        for state in ("AFG", "ZMB"):
            make_obligation(session, state=state, kind="art4_clearance", period=None)


@pytest.mark.parametrize(("command", "option"), [
    (["ack", "ccm:afg:art4_clearance", "--recipient", "isu"], "KEY"),
    (["invite", "--deadline", "ccm:afg:art4_clearance", "--recipient", "isu"], "--deadline"),
])
def test_ack_and_invite_suggest_the_key_of_the_state_typed(run, obligations, command, option):
    result = run(*command, code=2)
    assert (f"{option}: unknown value 'ccm:afg:art4_clearance' (did you mean CCM:AFG:art4_clearance?)"
            in result.output)
