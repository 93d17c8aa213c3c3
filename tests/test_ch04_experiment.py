"""Chapter 4: the overfitting experiment runs as the page describes it; the page keeps its form.

The experiment is recomputed with nnlib (same data, seeds and settings), so a change of nnlib
(or of a seed) that would make the prose wrong fails here. The page's form: the maths section
comes before the first loss, the test set is touched only after the settings are chosen, and the
summary links to the exercises.
"""

import copy
import math
from pathlib import Path

import jupytext
import numpy as np
import pytest

from nnlib.activations import sigmoid
from nnlib.data import moons, train_val_split
from nnlib.layers import Dense, Dropout, ReLU
from nnlib.network import Sequential, mlp
from nnlib.optim import Adam

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "04_backprop.md"


def _overfitting_experiment():
    """The page's overfitting section, as it runs there (same data, seeds and settings)."""
    X, y = moons(n=800, noise=0.2, rng=4)
    flipped = np.random.default_rng(4).random(len(y)) < 0.2
    y = np.where(flipped, 1 - y, y)
    X_rest, y_rest, X_test, y_test = train_val_split(X, y, 0.5, rng=4)
    X_tr, y_tr, X_va, y_va = X_rest[:60], y_rest[:60], X_rest[60:], y_rest[60:]

    def fit(model, optimizer, validate=False):
        return model.fit(X_tr, y_tr, "bce_logits", optimizer, epochs=200, batch_size=10,
                         validation_data=(X_va, y_va) if validate else None, rng=0)

    big = mlp([2, 64, 64, 1], rng=0)
    history = fit(big, Adam(0.003), validate=True)
    candidates = {}
    for wd in [0.001, 0.01, 0.1]:
        model = mlp([2, 64, 64, 1], rng=0)
        fit(model, Adam(0.003, weight_decay=wd))
        candidates[f"weight decay {wd}"] = model
    for rate in [0.2, 0.5]:
        model = Sequential([Dense(2, 64, rng=0), ReLU(), Dropout(rate, rng=0),
                            Dense(64, 64, rng=1), ReLU(), Dropout(rate, rng=1),
                            Dense(64, 1, rng=2)])
        fit(model, Adam(0.003))
        candidates[f"dropout {rate}"] = model
    stopped, optimizer, gen = mlp([2, 64, 64, 1], rng=0), Adam(0.003), np.random.default_rng(0)
    best_loss, best_model, best_epoch = np.inf, None, 0
    for epoch in range(1, 201):
        h = stopped.fit(X_tr, y_tr, "bce_logits", optimizer, epochs=1, batch_size=10,
                        validation_data=(X_va, y_va), rng=gen)
        if h.val_loss[-1] < best_loss:
            best_loss, best_model, best_epoch = h.val_loss[-1], copy.deepcopy(stopped), epoch
        elif epoch - best_epoch >= 30:
            break
    candidates[f"early stopping, epoch {best_epoch}"] = best_model
    return dict(big=big, history=history, candidates=candidates, best_epoch=best_epoch,
                stopped_at=epoch, flipped=flipped, sets=(X_tr, y_tr, X_va, y_va, X_test, y_test))


@pytest.fixture(scope="module")
def overfitting():
    return _overfitting_experiment()


def test_overfitting_data_and_the_unregularised_run_as_described(overfitting):
    X_tr, _, X_va, _, X_test, _ = overfitting["sets"]
    assert (len(X_tr), len(X_va), len(X_test)) == (60, 340, 400)
    assert overfitting["flipped"].mean() == pytest.approx(0.2, abs=0.015)  # "one in five"
    assert overfitting["big"].n_params == 4417
    history = overfitting["history"]
    best = int(np.argmin(history.val_loss))
    assert best < 10  # "reached in the first few epochs"
    assert 0.9 < history.val_loss[-1] < 1.2  # "climbed ... to about 1"
    assert history.loss[-1] < 0.5 * history.val_loss[-1]  # training loss far below
    assert overfitting["best_epoch"] == best + 1  # early stopping keeps the same epoch
    assert overfitting["stopped_at"] == best + 1 + 30


def test_validation_chooses_the_settings_and_the_test_set_confirms_the_text(overfitting):
    X_tr, y_tr, X_va, y_va, X_test, y_test = overfitting["sets"]
    candidates = overfitting["candidates"]
    val = {name: m.evaluate(X_va, y_va, "bce_logits") for name, m in candidates.items()}
    chosen = {}
    for remedy in ["weight decay", "dropout", "early stopping"]:
        name = min((n for n in candidates if n.startswith(remedy)), key=lambda n: val[n][0])
        chosen[remedy] = name
    assert chosen["weight decay"] == "weight decay 0.01"
    assert chosen["dropout"] == "dropout 0.5"
    # too weak still overfits (higher validation loss than the chosen setting); too strong is
    # an almost constant answer a little below 50%, with validation loss ln 2 and accuracy 50%
    assert val["weight decay 0.001"][0] > val["weight decay 0.01"][0]
    assert val["dropout 0.2"][0] > val["dropout 0.5"][0]
    assert round(val["weight decay 0.1"][0], 3) == round(math.log(2), 3) == 0.693
    assert val["weight decay 0.1"][1] == pytest.approx(0.5)
    squeezed = sigmoid(candidates["weight decay 0.1"].forward(X_va))
    assert 0.4 < squeezed.min() and squeezed.max() < 0.5

    none_loss, none_acc = overfitting["big"].evaluate(X_test, y_test, "bce_logits")
    assert none_loss == pytest.approx(0.93, abs=0.005)
    assert none_acc == pytest.approx(0.66, abs=0.005)
    for name in chosen.values():
        test_loss, test_acc = candidates[name].evaluate(X_test, y_test, "bce_logits")
        assert test_loss == pytest.approx(0.58, abs=0.01), name  # "to about 0.58"
        assert 0.70 <= test_acc <= 0.75 and test_acc > none_acc, name  # "between 70% and 75%"
        assert abs(test_acc - val[name][1]) < 0.03, name  # close to validation, not equal


def test_page_form_maths_first_test_set_last_and_exercise_link():
    text = PAGE.read_text()
    assert text.index("## The maths you need") < text.index("## Measuring how wrong")
    section = text[text.index("## Overfitting"):text.index("## Vanishing")]
    # the test set is evaluated in one cell only, after the settings were chosen
    assert section.count("evaluate(X_test") == 1
    assert section.index("chosen on the validation set") < section.index("evaluate(X_test")
    nb = jupytext.read(PAGE)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "import numpy as np" in code[0].source and "nnlib" in code[0].source
    assert not any(c.get("outputs") for c in code)
    for cell in code:
        if "plt.show()" in cell.source or "_widget()" in cell.source:
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 40, f"no alt text for the cell:\n{cell.source[:200]}"
    ending = " ".join(text.split("## Summary")[-1].split())
    assert "[Exercises for this chapter](exercises.md)" in ending  # how to get a copy
    assert "`exercises/ch04_backprop/`" in ending
    assert "## Further reading" in text
