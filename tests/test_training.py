"""End-to-end training with fixed seeds: the networks learn the chapter 4 data sets.

Accuracy is measured on fresh points from the same generator (a different seed), so the tests
check that the network learned the pattern, not just the training points. How long the runs
take is measured by benchmarks/bench_training_runs.py, not asserted here.
"""

import numpy as np
import pytest

from nnlib import data
from nnlib.layers import Dense, Dropout, ReLU
from nnlib.network import Sequential, mlp
from nnlib.optim import SGD, Adam


def held_out_accuracy(model, make, seed):
    X, y = make(n=1000, rng=1000 + seed)
    return float(np.mean(model.predict(X) == y))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quadrants_reach_97_percent_with_adam(seed):
    X, y = data.quadrants(n=400, rng=seed)
    model = mlp([2, 16, 16, 2], activation="relu", rng=seed)
    history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=150, batch_size=32,
                        rng=seed)
    assert history.accuracy[-1] >= 0.97
    assert held_out_accuracy(model, data.quadrants, seed) >= 0.97


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spirals_reach_95_percent_with_adam(seed):
    X, y = data.spirals(n=400, rng=seed)
    model = mlp([2, 32, 32, 2], activation="relu", rng=seed)
    history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=200, batch_size=32,
                        rng=seed)
    assert history.accuracy[-1] >= 0.95
    assert held_out_accuracy(model, data.spirals, seed) >= 0.95


def test_quadrants_with_the_playground_network_and_sgd_momentum():
    # chapter 4's set-up: two hidden layers of 4 units; a single sigmoid output with BCE
    X, y = data.quadrants(n=400, rng=0)
    model = mlp([2, 4, 4, 1], activation="tanh", output="sigmoid", rng=3)
    history = model.fit(X, y, "bce", SGD(lr=0.1, momentum=0.9), epochs=100, batch_size=16,
                        rng=0)
    assert history.accuracy[-1] >= 0.97
    assert held_out_accuracy(model, data.quadrants, 0) >= 0.97


def test_spirals_with_dropout_still_learn_and_validation_is_tracked():
    X, y = data.spirals(n=400, rng=0)
    X_val, y_val = data.spirals(n=200, rng=7)
    model = Sequential([Dense(2, 32, rng=0), ReLU(), Dense(32, 32, rng=1), ReLU(),
                        Dropout(0.1, rng=2), Dense(32, 2, rng=3)])
    history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=200, batch_size=32,
                        validation_data=(X_val, y_val), rng=0)
    assert history.val_accuracy[-1] >= 0.95
    assert history.val_loss[-1] < history.val_loss[0]


def test_float32_training_reaches_the_same_accuracy():
    X, y = data.quadrants(n=400, rng=0)
    model = mlp([2, 16, 16, 2], rng=0, dtype=np.float32)
    model.fit(X.astype(np.float32), y, "cross_entropy", Adam(lr=0.01), epochs=150, rng=0)
    assert model.layers[0].W.dtype == np.float32
    assert held_out_accuracy(model, data.quadrants, 0) >= 0.97


def test_training_is_deterministic_with_seeds():
    X, y = data.spirals(n=200, rng=0)
    runs = []
    for _ in range(2):
        model = mlp([2, 16, 2], rng=5)
        history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=5, rng=6)
        runs.append((history.loss, model.layers[0].W.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
