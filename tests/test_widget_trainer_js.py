"""The chapter 4 widgets' JavaScript (nnlib/widgets/js/trainer.js, numpy_random.js) agrees
with nnlib, run under Node: the same random numbers as numpy, the same data sets and initial
weights, per-epoch losses equal to nnlib's fit to 1e-6 relative, the same first epoch with
validation accuracy >= 95%, and the same learning-rate states.

Node runs tests/js/run_trainer.mjs, which reads one JSON request and answers in JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import require

from nnlib import data
from nnlib.network import mlp
from nnlib.optim import SGD
from nnlib.widgets.training import (
    PLAYGROUND_ACTIVATIONS,
    learning_rate_state,
    train_playground,
)

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "js" / "run_trainer.mjs"
NODE = shutil.which("node")



@pytest.fixture(autouse=True, scope="module")
def needs_node() -> None:
    require(NODE is not None, "Node.js is not installed (it comes with npm: apt-get install npm)")


def run_js(request: dict) -> dict | list:
    done = subprocess.run([NODE, str(RUNNER)], input=json.dumps(request), capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, f"the JavaScript runner failed:\n{done.stderr}"
    return json.loads(done.stdout)


def assert_close_per_epoch(js_values, py_values, what, rtol=1e-6):
    js_values, py_values = np.asarray(js_values, float), np.asarray(py_values, float)
    assert js_values.shape == py_values.shape, (
        f"{what}: the page has {js_values.shape[0]} epochs, nnlib {py_values.shape[0]}")
    if js_values.size == 0:
        return
    rel = np.abs(js_values - py_values) / np.maximum(np.abs(py_values), 1e-300)
    worst = int(np.argmax(rel))
    assert rel[worst] <= rtol, (
        f"{what}: epoch {worst + 1} differs: page {js_values[worst]!r}, nnlib "
        f"{py_values[worst]!r} (relative difference {rel[worst]:.2e} > {rtol})")


@pytest.mark.parametrize("seed", [0, 1, 9, 2**40 + 5])
def test_js_generator_makes_numpys_random_numbers_draw_for_draw(seed):
    draws = [["random", 7], ["normal", 20000], ["integers", 40, 2], ["permutation", 1, 300],
             ["integers", 25, 7], ["normal", 3], ["random", 3]]
    got = run_js({"kind": "random", "seed": seed, "draws": draws})
    gen = np.random.default_rng(seed)
    expected = [gen.random(7), gen.standard_normal(20000), gen.integers(0, 2, size=40),
                gen.permutation(300), gen.integers(0, 7, size=25), gen.standard_normal(3),
                gen.random(3)]
    for (what, *_), js_part, np_part in zip(draws, got, expected, strict=True):
        assert np.array_equal(np.asarray(js_part), np_part), (
            f"seed {seed}: the page's {what} draws differ from numpy's: first "
            f"{js_part[:3]} vs {np_part[:3]}")


@pytest.mark.parametrize("dataset", ["quadrants", "circles", "moons", "spirals"])
@pytest.mark.parametrize("seed", [0, 4, 9])
def test_js_data_sets_and_initial_weights_equal_nnlibs(dataset, seed):
    setting = dict(dataset=dataset, seed=seed, hidden_layers=2, units=5, activation="tanh",
                   epochs=1)
    got = run_js({"kind": "playground", "setting": setting})
    X, y = getattr(data, dataset)(n=400, rng=seed)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, 0.25, rng=seed)
    np.testing.assert_allclose(got["data"]["XTrain"], X_train, rtol=0, atol=1e-15)
    np.testing.assert_allclose(got["data"]["XVal"], X_val, rtol=0, atol=1e-15)
    assert got["data"]["yTrain"] == y_train.tolist() and got["data"]["yVal"] == y_val.tolist()
    model = mlp([2, 5, 5, 1], activation="tanh", rng=seed)
    dense = [layer for layer in model.layers if hasattr(layer, "W")]
    for layer, js_layer in zip(dense, got["initialLayers"], strict=True):
        np.testing.assert_array_equal(np.asarray(js_layer["W"]), layer.W)
        np.testing.assert_array_equal(np.asarray(js_layer["b"]), layer.b)


SETTINGS = [
    {},  # the chapter's setting: quadrants, 2 x 4 ReLU, SGD 0.03, 100 epochs
    dict(dataset="circles", activation="tanh", optimizer="adam", lr=0.01, epochs=40, seed=3),
    dict(dataset="moons", activation="gelu", optimizer="momentum", units=8, epochs=30, seed=5),
    dict(dataset="spirals", activation="silu", hidden_layers=3, units=8, optimizer="adam",
         epochs=30, seed=9),
    dict(hidden_layers=0, activation="sigmoid", optimizer="adam", lr=0.03, epochs=50),
    dict(activation="leaky_relu", epochs=30, seed=2, lr=0.1),
    dict(dataset="circles", hidden_layers=1, units=1, epochs=20, lr=0.3, seed=7),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: ",".join(
    f"{k}={v}" for k, v in s.items()) or "chapter-default")
def test_js_training_loss_each_epoch_equals_nnlib_fit_and_same_epoch_95(setting):
    py = train_playground(**setting)
    js = run_js({"kind": "playground", "setting": setting})
    assert js["diverged"] is None
    for key in ("loss", "val_loss"):
        assert_close_per_epoch(js["history"][key], py["history"][key], key)
    for key in ("accuracy", "val_accuracy"):
        assert_close_per_epoch(js["history"][key], py["history"][key], key, rtol=1e-12)
    assert js["epoch95"] == py["epoch_95"], (
        f"first epoch with validation accuracy >= 95%: page {js['epoch95']}, "
        f"nnlib {py['epoch_95']}")
    assert js["nParams"] == py["model"].n_params


def test_js_training_with_data_weights_and_batch_order_passed_in_from_python():
    rng = np.random.default_rng(123)
    X, y = data.moons(n=200, rng=11)  # data the page would not make by itself
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, 0.25, rng=12)
    model = mlp([2, 6, 6, 1], activation="relu", rng=13)
    layers = [{"W": layer.W.tolist(), "b": (layer.b + 0.01).tolist()}
              for layer in model.layers if hasattr(layer, "W")]
    for layer in model.layers:
        if hasattr(layer, "W"):
            layer.b = layer.b + 0.01
    epochs = 15
    order = [rng.permutation(len(X_train)) for _ in range(epochs)]

    class FixedOrder(np.random.Generator):  # a Generator whose permutations are the orders
        def __init__(self):
            super().__init__(np.random.PCG64(0))
            self.epoch = 0

        def permutation(self, n):
            self.epoch += 1
            return order[self.epoch - 1]

    history = model.fit(X_train, y_train, "bce_logits", SGD(0.05, momentum=0.9), epochs=epochs,
                        batch_size=10, validation_data=(X_val, y_val), rng=FixedOrder())
    given = {"data": {"XTrain": X_train.tolist(), "yTrain": y_train.tolist(),
                      "XVal": X_val.tolist(), "yVal": y_val.tolist()},
             "layers": layers, "order": [o.tolist() for o in order]}
    setting = dict(units=6, lr=0.05, optimizer="momentum", epochs=epochs)
    js = run_js({"kind": "playground", "setting": setting, "given": given})
    assert_close_per_epoch(js["history"]["loss"], history.loss, "loss")
    assert_close_per_epoch(js["history"]["val_loss"], history.val_loss, "val_loss")
    assert js["history"]["val_accuracy"] == history.val_accuracy


def test_js_every_playground_activation_is_implemented():
    for activation in PLAYGROUND_ACTIVATIONS:
        setting = dict(activation=activation, epochs=3, units=3)
        py = train_playground(**setting)
        js = run_js({"kind": "playground", "setting": setting})
        assert_close_per_epoch(js["history"]["loss"], py["history"]["loss"], activation)


def test_js_diverging_training_stops_in_the_epoch_nnlib_does():
    setting = dict(activation="leaky_relu", optimizer="momentum", lr=10.0, epochs=30)
    js = run_js({"kind": "playground", "setting": setting})
    with pytest.raises(FloatingPointError) as info:
        train_playground(**setting)
    assert js["diverged"] == info.value.epoch, (
        f"the page diverged in epoch {js['diverged']}, nnlib in epoch {info.value.epoch}")
    assert len(js["history"]["loss"]) == info.value.epoch - 1
    assert_close_per_epoch(js["history"]["loss"], info.value.history.loss, "loss before")


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.03, 0.1, 0.25, 0.5, 0.8, 1.0, 1.05, 1.2589])
@pytest.mark.parametrize("steps", [1, 20, 60])
def test_js_learning_rate_state_equals_nnlib(lr, steps):
    js = run_js({"kind": "learning_rate", "lr": lr, "steps": steps, "w0": -1.0})
    py = learning_rate_state(lr, steps, -1.0)
    assert js["verdict"] == py["verdict"]
    assert js["factor"] == pytest.approx(py["factor"], rel=1e-15)
    np.testing.assert_allclose(np.array(js["path"], dtype=float), py["path"], rtol=1e-12)
    np.testing.assert_allclose(np.array(js["losses"], dtype=float), py["losses"], rtol=1e-12)
