"""The transition measures: a reorg's dip, recovery and break-even come from the
culture-lag mechanism; switched off, what is left of the dip is the new owner's price
(its CX time is paid from the first day, its fixes take effect later)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsim.analysis.transition import measures, transition


def test_measures_on_a_constructed_j_curve():
    days = np.arange(100)
    stay = pd.Series(np.zeros(100), index=days)
    diff = np.where(days < 10, 0.0, np.where(days < 30, -10.0, 20.0))  # switch on day 10, dip, then gain
    m = measures(stay, stay + diff, switch_day=10, window=1)
    assert m["dip"] == -10 and m["days_to_recover"] == 20
    # 20 days at -10 (days 10-29), then +20 a day: the cumulative sum is back at 0 on day 39
    assert m["days_to_break_even"] == 29
    assert m["cumulative_difference"] == 20 * -10 + 70 * 20


def test_intervals_over_few_seeds_stay_within_what_a_measure_can_be():
    """Three seeds' days to recover (0, 10, 250): a t interval of the mean goes below zero days; the
    report's bootstrap interval stays within the seeds' values (and names how many seeds)."""
    from cxsim.analysis.statistics import ci_of_mean
    from cxsim.analysis.transition import summarise

    per_seed = pd.DataFrame({"seed": [0, 1, 2], "dip": [-50.0, -40.0, -60.0], "dip_day": [5, 6, 7],
                             "days_to_recover": [0.0, 10.0, 250.0], "days_to_break_even": [np.nan, 30.0, 60.0],
                             "cumulative_difference": [-20_000.0, 5_000.0, 40_000.0]})
    assert ci_of_mean(per_seed.days_to_recover)[0] < 0  # what the report used to print
    t = summarise(per_seed).set_index("measure")
    assert 0 <= t.loc["days_to_recover", "lo"] <= t.loc["days_to_recover", "mean"] <= t.loc["days_to_recover", "hi"]
    assert t.loc["days_to_recover", "hi"] <= 250
    assert t.loc["days_to_break_even", "seeds_with_value"] == 2 and t.loc["days_to_break_even", "seeds"] == 3


def test_the_report_says_uncertain_when_the_switchs_gain_could_be_a_loss():
    from types import SimpleNamespace

    from cxsim.analysis.transition import summarise
    from cxsim.decide.decision_report import transition_text

    company = SimpleNamespace(today="no_owner", switch_day=90, uncertain={})

    def text(gains):
        per_seed = pd.DataFrame({"seed": range(3), "dip": [-5.0] * 3, "dip_day": [3] * 3, "days_to_recover": [9.0] * 3,
                                 "days_to_break_even": [20.0] * 3, "cumulative_difference": gains})
        return transition_text(company, {"transition": summarise(per_seed), "transition_target": "ceo_led"})

    mixed, sure = text([-38_000.0, 56_000.0, 150_000.0]), text([40_000.0, 56_000.0, 70_000.0])
    assert "gains 56,000 against staying on average (95% interval" in mixed and "over 3 seeds" in mixed
    assert "uncertain: it could lose as well" in mixed and "uncertain" not in sure


def test_reorg_dip_and_break_even_come_from_broken_routines():
    """Broken routines make the dip and delay the break-even. The initiative portfolio is off in both arms:
    since issue 17 the CEO's initiatives cost more than they return within two years (docs/model.md, Known
    limits), so with it on the switch never breaks even before the horizon, whatever the routines do."""
    portfolio_off = ["mechanisms.initiatives.enabled=false"]
    kw = dict(today="no_owner", candidate="ceo_led", switch_day=200, seeds=range(4))
    on, on_summary = transition(**kw, overrides=portfolio_off)
    off, off_summary = transition(**kw, overrides=[*portfolio_off, "mechanisms.culture.reorg_disruption=0"])
    never = np.inf  # no break-even before the horizon: later than any day
    assert on.dip.mean() < -30 and on.days_to_break_even.mean() > 60
    assert (on.days_to_break_even.fillna(never) > off.days_to_break_even.fillna(never)).all()
    assert (on.dip < off.dip).all() and on.days_to_break_even.mean() > off.days_to_break_even.mean() + 50
    ceo_per_day = 6 * 0.5 / 8 * 150000 / 365  # the CEO's CX time at its pay (mechanisms.governance)
    assert off.dip.mean() > -1.25 * ceo_per_day  # without broken routines, the dip is about the price alone
    # without broken routines the CEO pays off over two years on every seed; with them it does on one of four
    # (measured after issue 17: -9.1k, +29.6k, -25.6k, -26.4k with routines broken; +37.2k, +63.2k, +19.5k,
    # +31.8k without; issue 16 measured 13.6k, 23.6k, -1.8k, 7.6k with: the CFO's trim of the desk and
    # overtime narrowed the CEO's lead over no owner)
    assert (off.cumulative_difference > 0).all() and (off.cumulative_difference > on.cumulative_difference).all()
    assert set(on_summary.measure) >= {"dip", "days_to_recover", "days_to_break_even", "cumulative_difference"}
