"""The day's row: the mean friction is numpy's, bit for bit, without making an array each day."""

from __future__ import annotations

import random

import numpy as np

from cxsim.model import CXModel
from cxsim.model.outcomes import mean_friction, pairwise_sum


def test_pairwise_sum_is_numpys_sum_to_the_bit():
    """Every length up to 300 (the three branches: under 8, blocks of 8 up to 128, halves beyond), values
    over ten orders of magnitude, where a sum taken one after another differs from numpy's."""
    rng = random.Random(34)
    differs_from_a_plain_loop = 0
    for n in range(1, 301):
        for _ in range(4):
            values = [rng.random() * 10.0 ** rng.randint(-5, 5) for _ in range(n)]
            assert pairwise_sum(values, 0, n) == np.add.reduce(np.array(values)), n
            plain = 0.0
            for v in values:
                plain += v
            differs_from_a_plain_loop += plain != np.add.reduce(np.array(values))
    assert differs_from_a_plain_loop > 100  # the test can tell numpy's order from another
    assert str(pairwise_sum([-0.0, -0.0], 0, 2)) == "-0.0"  # numpy's sum of negative zeros


def test_the_days_mean_friction_is_np_mean_of_the_boundaries():
    m = CXModel(days=60, customers=500, seed=3).run()
    values = [m.friction[a][b] for a, b in m.boundaries]
    assert mean_friction(m) == np.mean(values)
    assert m.recorder.rows[-1]["friction"] == np.mean(values)
