"""Chapter 4 widgets: gradient descent on one parameter and the training playground.

The plain functions behind the widgets are tested without a browser; the builders are tested
for their initial state (the plot is drawn when they are built) and for their controls.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.widgets.training import (  # noqa: E402
    PLAYGROUND_DEFAULTS,
    W_BEST,
    draw_learning_rate,
    draw_playground,
    first_epoch_reaching,
    gradient_descent_path,
    learning_rate_state,
    learning_rate_widget,
    loss_1d,
    loss_1d_grad,
    train_playground,
    training_playground_widget,
)


def _all_children(widget):
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(_all_children(child))
    return found


# --- the one-parameter loss and gradient descent on it ----------------------------------------

def test_loss_1d_has_its_minimum_one_at_w_three_and_gradient_matches_finite_differences():
    assert loss_1d(W_BEST) == pytest.approx(1.0)
    w = np.array([-1.0, 0.5, 3.0, 7.25])
    eps = 1e-6
    numerical = (loss_1d(w + eps) - loss_1d(w - eps)) / (2 * eps)
    np.testing.assert_allclose(loss_1d_grad(w), numerical, rtol=1e-7, atol=1e-8)


def test_gradient_descent_path_first_steps_by_hand():
    # w0 = -1, lr = 0.1: grad = 2(-1 - 3) = -8, w1 = -1 + 0.8 = -0.2; grad = -6.4, w2 = 0.44
    path = gradient_descent_path(0.1, 2, w0=-1.0)
    np.testing.assert_allclose(path, [-1.0, -0.2, 0.44])


def test_gradient_descent_path_follows_the_closed_form_distance_factor():
    lr, steps, w0 = 0.3, 15, -1.0
    path = gradient_descent_path(lr, steps, w0)
    assert path.shape == (steps + 1,)
    expected = W_BEST + (w0 - W_BEST) * (1 - 2 * lr) ** np.arange(steps + 1)
    np.testing.assert_allclose(path, expected, rtol=1e-12)


def test_gradient_descent_path_learning_rate_one_half_lands_on_the_minimum_in_one_step():
    np.testing.assert_allclose(gradient_descent_path(0.5, 3, w0=-1.0), [-1.0, 3.0, 3.0, 3.0])


def test_gradient_descent_path_diverging_run_becomes_inf_instead_of_overflowing():
    path = gradient_descent_path(1.5, 200, w0=-1.0)
    assert path.shape == (201,)
    assert np.isinf(path[-1])
    finite = path[np.isfinite(path)]
    assert np.all(np.abs(np.diff(np.abs(finite - W_BEST))) > 0)  # the distance keeps growing


@pytest.mark.parametrize("lr, verdict", [
    (0.01, "crawls"),          # factor 0.98: after 20 steps 0.98^20 = 0.67 of the way left
    (0.1, "converges"),        # factor 0.8: 0.8^20 = 0.012
    (0.5, "converges"),        # factor 0: one step
    (0.8, "oscillates"),       # factor -0.6: side to side, settling
    (1.0, "bounces forever"),  # factor -1
    (1.1, "diverges"),         # factor -1.2
])
def test_learning_rate_state_verdicts_after_20_steps(lr, verdict):
    state = learning_rate_state(lr, 20, w0=-1.0)
    assert state["verdict"] == verdict
    assert state["factor"] == pytest.approx(1 - 2 * lr)


def test_learning_rate_state_oscillating_path_changes_side_every_step():
    path = learning_rate_state(0.8, 10)["path"]
    sides = np.sign(path - W_BEST)
    assert np.all(sides[1:] == -sides[:-1])


def test_learning_rate_state_losses_are_the_loss_along_the_path():
    state = learning_rate_state(0.2, 5)
    np.testing.assert_allclose(state["losses"], loss_1d(state["path"]))
    assert np.all(np.diff(state["losses"]) < 0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0.0, steps=5), "positive number"),
    (dict(lr=-0.1, steps=5), "positive number"),
    (dict(lr=0.1, steps=-1), "steps"),
    (dict(lr=0.1, steps=2.5), "steps"),
    (dict(lr=0.1, steps=5, w0=float("nan")), "finite starting point"),
])
def test_gradient_descent_path_rejects_bad_settings_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent_path(**kwargs)


@pytest.mark.parametrize("lr", [0.01, 0.8, 1.26])
def test_draw_learning_rate_draws_curve_path_and_steps_even_when_diverging(lr):
    state = learning_rate_state(lr, 60)
    fig, axes = plt.subplots(1, 2)
    draw_learning_rate(state, lr, axes)
    assert len(axes[0].lines) >= 3 and len(axes[1].lines) == 1
    assert state["verdict"] in axes[0].get_title()
    plt.close(fig)


def test_learning_rate_widget_has_exact_stops_a_steps_slider_and_a_browser_view():
    import ipywidgets as widgets

    from nnlib.widgets.training import LEARNING_RATES_1D, LearningRateView

    w = learning_rate_widget()
    parts = _all_children(w)
    lr_sliders = [p for p in parts if isinstance(p, widgets.SelectionSlider)]
    steps_sliders = [p for p in parts if isinstance(p, widgets.IntSlider)]
    views = [p for p in parts if isinstance(p, LearningRateView)]
    assert len(lr_sliders) == 1 and lr_sliders[0].value == 0.1
    assert lr_sliders[0].label == "0.1"  # the reader sees exactly the number the text names
    for named in (0.01, 0.03, 0.1, 0.3, 0.8, 1.1):  # rates the chapter names
        assert named in LEARNING_RATES_1D
    assert min(LEARNING_RATES_1D) == 0.001 and max(LEARNING_RATES_1D) > 1.0  # reaches divergence
    assert len(steps_sliders) == 1 and steps_sliders[0].value == 20
    assert len(views) == 1 and views[0].data["lr_options"] == list(LEARNING_RATES_1D)
    assert views[0].lr_index == LEARNING_RATES_1D.index(0.1) and views[0].steps == 20
    links = {(link.source[0], link.source[1], link.target[1]) for link in w._links}
    assert links == {(lr_sliders[0], "index", "lr_index"), (steps_sliders[0], "value", "steps")}
    with pytest.raises(ValueError, match="stops"):
        learning_rate_widget(lr=0.0316)


# --- the training playground ---------------------------------------------------------------

def test_first_epoch_reaching_counts_epochs_from_one_and_none_when_never():
    assert first_epoch_reaching([0.5, 0.94, 0.95, 0.99], 0.95) == 3
    assert first_epoch_reaching([0.96], 0.95) == 1
    assert first_epoch_reaching([0.5, 0.6], 0.95) is None
    with pytest.raises(ValueError, match="one value per epoch"):
        first_epoch_reaching([[0.5]], 0.95)


@pytest.fixture(scope="module")
def default_run():
    return train_playground(**PLAYGROUND_DEFAULTS, snapshot_epochs=(0, 10, 100))


def test_playground_default_setting_reaches_95_percent_validation_accuracy(default_run):
    assert default_run["val_accuracy"] >= 0.95
    e95 = default_run["epoch_95"]
    assert e95 is not None and 1 <= e95 <= PLAYGROUND_DEFAULTS["epochs"]
    assert default_run["history"].val_accuracy[e95 - 1] >= 0.95
    assert all(a < 0.95 for a in default_run["history"].val_accuracy[:e95 - 1])


def test_playground_default_network_is_2_4_4_1_relu(default_run):
    model = default_run["model"]
    assert model.n_params == (2 * 4 + 4) + (4 * 4 + 4) + (4 * 1 + 1)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "ReLU", "Dense", "ReLU", "Dense"]


def test_playground_history_has_one_entry_per_epoch_and_loss_falls(default_run):
    history = default_run["history"]
    assert len(history) == len(history.val_accuracy) == PLAYGROUND_DEFAULTS["epochs"]
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_playground_validation_set_is_held_out(default_run):
    n_train, n_val = len(default_run["X_train"]), len(default_run["X_val"])
    assert (n_train, n_val) == (300, 100)
    train_rows = {tuple(r) for r in default_run["X_train"]}
    assert not any(tuple(r) in train_rows for r in default_run["X_val"])


def test_playground_snapshots_are_copies_from_earlier_epochs(default_run):
    snaps = default_run["snapshots"]
    assert sorted(snaps) == [0, 10, 100]
    X = default_run["X_val"]
    acc = {e: float(np.mean(m.predict(X) == default_run["y_val"])) for e, m in snaps.items()}
    assert acc[10] == pytest.approx(default_run["history"].val_accuracy[9])
    assert acc[100] == pytest.approx(default_run["val_accuracy"])
    assert snaps[100] is not snaps[10]
    assert not np.allclose(snaps[0].layers[0].W, snaps[100].layers[0].W)


def test_playground_training_in_pieces_equals_one_run(default_run):
    whole = train_playground(**PLAYGROUND_DEFAULTS)
    np.testing.assert_allclose(whole["history"].loss, default_run["history"].loss)


def test_playground_is_reproducible_and_seed_changes_the_run():
    a = train_playground(epochs=5, seed=3)
    b = train_playground(epochs=5, seed=3)
    c = train_playground(epochs=5, seed=4)
    np.testing.assert_array_equal(a["history"].loss, b["history"].loss)
    assert a["history"].loss != c["history"].loss


@pytest.mark.parametrize("dataset", ["circles", "moons", "spirals"])
def test_playground_trains_on_every_data_set(dataset):
    result = train_playground(dataset=dataset, units=8, optimizer="adam", epochs=40)
    assert result["history"].loss[-1] < result["history"].loss[0]
    assert result["val_accuracy"] > 0.6


def test_playground_adam_and_momentum_beat_plain_sgd_to_95_percent():
    base = dict(PLAYGROUND_DEFAULTS, epochs=60)
    e_sgd = train_playground(**base)["epoch_95"]
    e_adam = train_playground(**dict(base, optimizer="adam", lr=0.01))["epoch_95"]
    e_mom = train_playground(**dict(base, optimizer="momentum"))["epoch_95"]
    assert e_adam is not None and e_mom is not None
    assert e_sgd is None or (e_adam < e_sgd and e_mom < e_sgd)


def test_playground_zero_hidden_layers_is_a_line_and_cannot_learn_quadrants():
    result = train_playground(hidden_layers=0, optimizer="adam", lr=0.03, epochs=50)
    assert len(result["model"].layers) == 1
    assert result["val_accuracy"] < 0.8


def test_playground_huge_learning_rate_raises_floating_point_error_or_fails_to_learn():
    try:
        result = train_playground(lr=1000.0, optimizer="sgd", epochs=20)
    except FloatingPointError:
        return
    assert result["val_accuracy"] < 0.9


@pytest.mark.parametrize("kwargs, message", [
    (dict(dataset="xor"), "dataset to be one of"),
    (dict(optimizer="rmsprop"), "optimizer to be one of"),
    (dict(activation="softmax"), "activation to be one of"),
    (dict(units=0), "units"),
    (dict(hidden_layers=-1), "hidden_layers"),
    (dict(lr=0), "positive number"),
    (dict(epochs=5, snapshot_epochs=(10,)), "snapshot epoch"),
])
def test_playground_rejects_bad_settings_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_playground(**kwargs)


def test_draw_playground_draws_boundary_and_both_curves(default_run):
    fig, axes = plt.subplots(1, 3)
    draw_playground(default_run, axes, title="quadrants")
    assert axes[0].get_title() == "quadrants"
    assert len(axes[1].lines) == 2 and len(axes[2].lines) >= 2  # training and validation
    plt.close(fig)


def test_playground_widget_links_every_control_to_the_browser_view():
    import ipywidgets as widgets

    from nnlib.widgets.training import PLAYGROUND_LEARNING_RATES, PlaygroundView

    w = training_playground_widget(epochs=20, units=8)
    parts = _all_children(w)
    dropdowns = {p.description: p for p in parts if isinstance(p, widgets.Dropdown)}
    assert set(dropdowns) == {"data set", "activation", "optimiser"}
    assert dropdowns["data set"].options == ("quadrants", "circles", "moons", "spirals")
    sliders = {p.description: p for p in parts if isinstance(p, (widgets.IntSlider,
                                                                   widgets.SelectionSlider))}
    assert set(sliders) == {"hidden layers", "units per layer", "learning rate", "epochs", "seed"}
    assert sliders["hidden layers"].min == 0  # 0 hidden layers: a straight line
    assert sliders["learning rate"].label == "0.03"  # exactly the chapter's rate
    assert 0.03 in PLAYGROUND_LEARNING_RATES and 0.01 in PLAYGROUND_LEARNING_RATES
    (view,) = [p for p in parts if isinstance(p, PlaygroundView)]
    lr_index = PLAYGROUND_LEARNING_RATES.index(0.03)
    assert (view.epochs, view.units, view.lr_index) == (20, 8, lr_index)
    linked = {link.target[1]: (link.source[0].description, link.source[1]) for link in w._links}
    assert linked == {
        "dataset_index": ("data set", "index"), "hidden_layers": ("hidden layers", "value"),
        "units": ("units per layer", "value"), "activation_index": ("activation", "index"),
        "lr_index": ("learning rate", "index"), "optimizer_index": ("optimiser", "index"),
        "epochs": ("epochs", "value"), "seed": ("seed", "value")}
    assert view.data["datasets"] == list(dropdowns["data set"].options)
    assert view.data["lr_options"] == list(PLAYGROUND_LEARNING_RATES)


@pytest.mark.parametrize("settings, message", [
    (dict(lr=0.0316), "stops"),
    (dict(units=17), "units"),
    (dict(dataset="xor"), "dataset"),
])
def test_playground_widget_rejects_settings_its_controls_cannot_show(settings, message):
    with pytest.raises(ValueError, match=message):
        training_playground_widget(**settings)


def test_train_playground_says_in_which_epoch_a_run_diverged():
    from nnlib.widgets.training import TrainingDiverged

    with pytest.raises(TrainingDiverged, match="diverged: the loss is NaN in epoch") as info:
        train_playground(activation="leaky_relu", optimizer="momentum", lr=10.0, epochs=30)
    assert info.value.epoch >= 1 and len(info.value.history) == info.value.epoch - 1
    assert "Lower it" in str(info.value)


def test_playground_widget_rejects_unknown_settings():
    with pytest.raises(TypeError, match="unknown settings"):
        training_playground_widget(learning_rate=0.1)
