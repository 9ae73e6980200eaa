"""SIGNPOST_NATION: whose bank holidays have no sessions, checked when a process starts."""

from __future__ import annotations

import pytest

from common.settings import NATIONS, Settings, SettingsError


def test_england_and_wales_is_the_default():
    assert Settings.from_env({}).nation == "england-and-wales"


@pytest.mark.parametrize("value, nation", [("scotland", "scotland"),
                                           (" Northern-Ireland ", "northern-ireland")])
def test_each_nation_can_be_chosen(value, nation):
    assert Settings.from_env({"SIGNPOST_NATION": value}).nation == nation


def test_a_nation_we_do_not_know_stops_the_process_with_the_ones_that_work():
    with pytest.raises(SettingsError) as problem:
        Settings.from_env({"SIGNPOST_NATION": "wales"})
    assert "SIGNPOST_NATION" in str(problem.value)
    assert all(nation in str(problem.value) for nation in NATIONS)
