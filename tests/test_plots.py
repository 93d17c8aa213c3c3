"""Tests of nnlib.plots, run headless (Agg): each plot draws the expected artists and
refuses bad input with a clear message."""

from dataclasses import asdict, dataclass, field

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from nnlib import data, plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _contours(ax):
    return [c for c in ax.collections if isinstance(c, ContourSet)]


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)
            and not isinstance(c, ContourSet)]


def test_palette_is_okabe_ito_and_markers_differ():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}
    assert set(plots.PALETTE) == okabe_ito
    assert len(set(plots.MARKERS)) == len(plots.MARKERS) == len(plots.PALETTE)
    assert len(set(plots.LINESTYLES)) == len(plots.LINESTYLES)


def test_nnlib_import_does_not_load_matplotlib_but_attribute_access_loads_plots():
    import subprocess
    import sys

    code = ("import sys, nnlib; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'; "
            "nnlib.plots; assert 'matplotlib' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_scatter_classes_uses_a_different_marker_and_colour_per_class():
    X, y = data.rainbow_colors(n=70, rng=0)
    ax = plots.scatter_classes(X[:, :2], y, class_names=data.RAINBOW_NAMES)
    scatters = _scatters(ax)
    assert len(scatters) == 7
    paths = {tuple(map(tuple, s.get_paths()[0].vertices.round(3))) for s in scatters}
    assert len(paths) == 7  # seven different marker shapes
    colours = {tuple(s.get_facecolor()[0][:3]) for s in scatters}
    assert len(colours) == 7
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(data.RAINBOW_NAMES)


def test_decision_boundary_with_a_label_function_draws_regions_boundary_and_points():
    X, y = data.quadrants(n=100, rng=0)
    ax = plots.decision_boundary(lambda P: (P[:, 0] * P[:, 1] > 0).astype(int), X, y,
                                 resolution=50, title="XOR")
    assert len(_contours(ax)) == 2  # filled regions and the boundary line
    assert len(_scatters(ax)) == 2
    assert ax.get_title() == "XOR"
    x0, x1 = ax.get_xlim()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()


def test_decision_boundary_accepts_an_object_with_predict():
    class Model:
        calls = 0

        def predict(self, P):
            Model.calls += 1
            assert P.shape == (30 * 30, 2)
            return (P[:, 0] > 0).astype(int)

    X, y = data.moons(n=60, rng=1)
    ax = plots.decision_boundary(Model(), X, y, resolution=30)
    assert Model.calls == 1
    assert len(_contours(ax)) == 2


def test_decision_boundary_thresholds_probabilities_at_one_half():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([0, 1])
    probability = lambda P: 1 / (1 + np.exp(-4 * P[:, 0]))  # noqa: E731
    ax = plots.decision_boundary(probability, X, y, resolution=41)
    filled = _contours(ax)[0]
    # the region levels are -0.5, 0.5, 1.5: both classes present
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5])
    labels = plots._predict_labels(probability, np.array([[-0.1, 0], [0.1, 0]]))
    np.testing.assert_array_equal(labels, [0, 1])


def test_decision_boundary_takes_argmax_of_one_column_per_class():
    scores = lambda P: np.column_stack([P[:, 0], P[:, 1], -P[:, 0] - P[:, 1]])  # noqa: E731
    labels = plots._predict_labels(scores, np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, -2.0]]))
    np.testing.assert_array_equal(labels, [0, 1, 2])
    X, y = data.rainbow_colors(n=21, rng=0)
    ax = plots.decision_boundary(scores, X[:, :2], y % 3, resolution=20)
    assert len(_scatters(ax)) == 3


def test_decision_boundary_refuses_bad_input():
    X, y = data.quadrants(n=20, rng=0)
    f = lambda P: (P[:, 0] > 0).astype(int)  # noqa: E731
    with pytest.raises(ValueError, match=r"X of shape \(n, 2\)"):
        plots.decision_boundary(f, np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match=r"y of shape \(20,\)"):
        plots.decision_boundary(f, X, y[:5])
    with pytest.raises(TypeError, match=".predict"):
        plots.decision_boundary("model", X, y)
    with pytest.raises(ValueError, match="resolution"):
        plots.decision_boundary(f, X, y, resolution=3)
    with pytest.raises(ValueError, match="output of shape"):
        plots.decision_boundary(lambda P: np.zeros(5), X, y, resolution=10)
    with pytest.raises(ValueError, match="sigmoid"):
        plots.decision_boundary(lambda P: 3.5 * P[:, 0], X, y, resolution=10)
    with pytest.raises(ValueError, match="finite"):
        plots.decision_boundary(f, np.full((20, 2), np.nan), y)
    with pytest.raises(TypeError, match="Axes"):
        plots.decision_boundary(f, X, y, ax="left")


def test_perceptron_boundary_history_draws_one_line_per_epoch_last_one_solid():
    X, y = data.logic_gate("AND")
    weights = [[0.1, 0.3], [0.0, 0.0], [0.5, 0.2], [1.0, 1.0]]
    biases = [0.0, 0.0, -0.4, -1.5]
    ax = plots.perceptron_boundary_history(X, y, weights, biases)
    assert len(ax.lines) == 3  # the all-zero weights have no line
    last = ax.lines[-1]
    assert last.get_linestyle() == "-"
    xs, ys = last.get_data()
    np.testing.assert_allclose(xs + ys, 1.5)  # the line x1 + x2 - 1.5 = 0
    with pytest.raises(ValueError, match="biases array"):
        plots.perceptron_boundary_history(X, y, weights)
    with pytest.raises(ValueError, match=r"weights of shape \(epochs, 2\)"):
        plots.perceptron_boundary_history(X, y, [1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match=r"biases of shape \(4,\)"):
        plots.perceptron_boundary_history(X, y, weights, [0.0])


def test_plot_activation_by_name_draws_function_and_dashed_derivative():
    ax = plots.plot_activation("relu", x=np.linspace(-2, 2, 5))
    f_line, d_line = ax.lines[-2:]
    np.testing.assert_allclose(f_line.get_ydata(), [0, 0, 0, 1, 2])
    np.testing.assert_allclose(d_line.get_ydata()[[0, 1, 3, 4]], [0, 0, 1, 1])
    assert f_line.get_linestyle() != d_line.get_linestyle()
    assert ax.get_title() == "relu"


def test_plot_activation_without_derivative_draws_one_curve():
    ax = plots.plot_activation("sigmoid", derivative=False)
    assert len([line for line in ax.lines if len(line.get_xdata()) > 2]) == 1


def test_plot_activation_estimates_the_derivative_of_a_plain_function():
    x = np.linspace(-3, 3, 61)
    ax = plots.plot_activation(np.sin, x=x)
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), np.cos(x), atol=1e-8)
    ax = plots.plot_activation((np.sin, np.cos), x=x)
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), np.cos(x))


def test_plot_activation_refuses_bad_input():
    with pytest.raises(ValueError, match="relu"):
        plots.plot_activation("relux")
    with pytest.raises(TypeError, match="activation name"):
        plots.plot_activation(3)
    with pytest.raises(ValueError, match="1-D array"):
        plots.plot_activation("relu", x=np.zeros((3, 3)))


def test_plot_history_draws_training_and_validation_curves_in_two_panels():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6],
               "accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.8]}
    loss_ax, acc_ax = plots.plot_history(history)
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 2
    np.testing.assert_allclose(loss_ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), [0.4, 0.7, 0.8])
    assert loss_ax.lines[0].get_linestyle() != loss_ax.lines[1].get_linestyle()
    assert to_rgb(loss_ax.lines[0].get_color()) != to_rgb(loss_ax.lines[1].get_color())


def test_plot_history_accepts_a_fit_history_skipping_empty_and_nan_curves():
    @dataclass
    class History:  # the shape of nnlib.network.History
        loss: list = field(default_factory=list)
        accuracy: list = field(default_factory=list)
        val_loss: list = field(default_factory=list)
        val_accuracy: list = field(default_factory=list)

        def as_dict(self):
            return asdict(self)

    history = History(loss=[0.9, 0.5, 0.2], accuracy=[float("nan")] * 3)
    loss_ax, acc_ax = plots.plot_history(history)
    assert len(loss_ax.lines) == 1 and len(acc_ax.lines) == 0
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["training"]


def test_plot_history_accepts_an_object_with_a_history_mapping_and_given_axes():
    class History:
        history = {"loss": [0.9, 0.4]}

    fig, axes = plt.subplots(1, 2)
    loss_ax, acc_ax = plots.plot_history(History(), ax=axes)
    assert loss_ax is axes[0] and len(loss_ax.lines) == 1
    assert len(acc_ax.lines) == 0 and "no accuracy" in acc_ax.texts[0].get_text()


def test_plot_history_refuses_bad_input():
    with pytest.raises(ValueError, match="'loss'"):
        plots.plot_history({"accuracy": [0.5]})
    with pytest.raises(ValueError, match="one value per epoch"):
        plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.0]})
    with pytest.raises(TypeError, match="Sequential.fit"):
        plots.plot_history([1.0, 0.5])
    _, single = plt.subplots()
    with pytest.raises(TypeError, match="pair of Axes"):
        plots.plot_history({"loss": [1.0]}, ax=single)


def _circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def test_network_diagram_draws_one_circle_per_unit_and_all_connections():
    ax = plots.network_diagram([3, 4, 2])
    assert len(_circles(ax)) == 9
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines) == 1 and len(lines[0].get_segments()) == 3 * 4 + 4 * 2
    texts = [t.get_text() for t in ax.texts]
    assert {"input", "hidden 1", "output", "3 units", "4 units", "2 units"} <= set(texts)


def test_network_diagram_abbreviates_big_layers_with_an_ellipsis():
    ax = plots.network_diagram([784, 10, 1])
    assert len(_circles(ax)) == 8 + 10 + 1  # 4 first and 4 last of the 784 inputs
    assert "\u22ee" in [t.get_text() for t in ax.texts]
    assert "784 units" in [t.get_text() for t in ax.texts]


def test_network_diagram_writes_layer_and_unit_labels():
    ax = plots.network_diagram([3, 2], labels=["features", "decision"],
                               unit_labels=[data.SPAM_FEATURES, ["ham", "spam"]])
    texts = {t.get_text() for t in ax.texts}
    assert {"features", "decision", "win_money", "known_sender", "spam"} <= texts


def test_network_diagram_refuses_bad_input():
    for bad in ([], [3, 0, 2], [3.5, 2], "342", 7):
        with pytest.raises(ValueError, match="positive whole numbers"):
            plots.network_diagram(bad)
    with pytest.raises(ValueError, match="2 labels for 3 layers"):
        plots.network_diagram([3, 4, 2], labels=["in", "out"])
    with pytest.raises(ValueError, match="3 units but 2 unit_labels"):
        plots.network_diagram([3, 2], unit_labels=[["a", "b"], None])


def test_weight_heatmap_is_centred_on_zero_and_annotates_each_cell():
    W = np.array([[1.0, -0.5, 0.0], [0.25, 2.0, -1.0]])
    ax = plots.weight_heatmap(W, row_labels=["x1", "x2"], col_labels=["a", "b", "c"])
    images = [im for im in ax.images if isinstance(im, AxesImage)]
    assert len(images) == 1
    assert images[0].norm.vmin == -2.0 and images[0].norm.vmax == 2.0
    assert images[0].get_cmap().name == plots.DIVERGING_CMAP
    cell_texts = [t.get_text() for t in ax.texts]
    assert len(cell_texts) == 6 and "-0.50" in cell_texts and "2.00" in cell_texts
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x1", "x2"]
    assert len(ax.figure.axes) == 2  # the heat map and its colour bar


def test_weight_heatmap_skips_annotations_for_big_matrices_unless_asked():
    W = np.random.default_rng(0).normal(size=(20, 20))
    assert len(plots.weight_heatmap(W).texts) == 0
    assert len(plots.weight_heatmap(W[:3, :3], annotate=False).texts) == 0


def test_weight_heatmap_refuses_bad_input():
    with pytest.raises(ValueError, match="reshape"):
        plots.weight_heatmap(np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        plots.weight_heatmap(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="2 row_labels"):
        plots.weight_heatmap(np.ones((3, 2)), row_labels=["a", "b"])


def test_functions_draw_on_a_given_axes_and_return_it():
    fig, ax = plt.subplots()
    assert plots.plot_activation("tanh", ax=ax) is ax
    X, y = data.circles(n=40, rng=0)
    fig, ax = plt.subplots()
    assert plots.decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y, ax=ax,
                                   resolution=20) is ax
    fig, ax = plt.subplots()
    assert plots.network_diagram([2, 2], ax=ax) is ax
    fig, ax = plt.subplots()
    assert plots.weight_heatmap(np.eye(2), ax=ax) is ax


def test_perceptron_boundary_history_replays_a_trained_perceptron():
    from nnlib.neuron import Perceptron

    X, y = data.logic_gate("OR")
    p = Perceptron(2, lr=0.5).fit(X, y, epochs=20)
    ax = plots.perceptron_boundary_history(X, y, p)
    drawn = sum(1 for h in p.history if np.any(h["w"] != 0))
    assert len(ax.lines) == drawn >= 1
    xs, ys = ax.lines[-1].get_data()
    np.testing.assert_allclose(p.w[0] * xs + p.w[1] * ys + p.b, 0.0, atol=1e-9)
    same = plots.perceptron_boundary_history(X, y, p.history)
    np.testing.assert_allclose(same.lines[-1].get_xydata(), ax.lines[-1].get_xydata())
    with pytest.raises(ValueError, match="leave biases=None"):
        plots.perceptron_boundary_history(X, y, p, biases=[0.0])


def test_decision_boundary_of_a_trained_perceptron_separates_and_gate():
    from nnlib.neuron import Perceptron

    X, y = data.logic_gate("AND")
    p = Perceptron(2).fit(X, y, epochs=20)
    ax = plots.decision_boundary(p, X, y, resolution=40)
    assert len(_contours(ax)) == 2
