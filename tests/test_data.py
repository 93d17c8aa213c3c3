"""Tests of nnlib.data: shapes, dtypes, determinism, class balance and the generative rules."""

import numpy as np
import pytest

from nnlib import data

TWO_D = [data.quadrants, data.circles, data.moons, data.spirals]
ALL_GENERATORS = [data.spam_emails, data.rainbow_colors, *TWO_D]


@pytest.mark.parametrize("make", ALL_GENERATORS, ids=lambda f: f.__name__)
def test_generators_return_float64_features_and_int64_labels_of_requested_size(make):
    X, y = make(n=57, rng=0)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.ndim == 2 and X.shape[0] == 57 and y.shape == (57,)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", ALL_GENERATORS, ids=lambda f: f.__name__)
def test_same_seed_gives_same_data_and_different_seed_differs(make):
    X1, y1 = make(rng=3)
    X2, y2 = make(rng=3)
    X3, _ = make(rng=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", ALL_GENERATORS, ids=lambda f: f.__name__)
def test_generator_object_is_accepted_and_advanced(make):
    gen = np.random.default_rng(11)
    Xa, _ = make(rng=gen)
    Xb, _ = make(rng=gen)
    assert not np.array_equal(Xa, Xb)
    np.testing.assert_array_equal(make(rng=np.random.default_rng(11))[0], Xa)


@pytest.mark.parametrize("make", TWO_D, ids=lambda f: f.__name__)
def test_two_d_sets_have_two_columns_and_exactly_balanced_labels(make):
    X, y = make(n=401, rng=1)
    assert X.shape == (401, 2)
    assert set(np.unique(y)) == {0, 1}
    assert abs(np.sum(y == 1) - np.sum(y == 0)) <= 1


@pytest.mark.parametrize("make", TWO_D, ids=lambda f: f.__name__)
def test_two_d_sets_are_shuffled_not_sorted_by_label(make):
    _, y = make(n=200, rng=2)
    assert 0 < np.sum(y[:100]) < 100  # both labels among the first half


def test_quadrants_label_is_one_exactly_where_signs_agree_without_noise():
    X, y = data.quadrants(n=500, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(int))
    assert np.all(np.abs(X) >= 0.05) and np.all(np.abs(X) <= 1.0)
    # all four quadrants are used
    quadrant = 2 * (X[:, 0] > 0) + (X[:, 1] > 0)
    assert set(quadrant) == {0, 1, 2, 3}


def test_quadrants_noise_moves_some_points_across_an_axis():
    X, y = data.quadrants(n=500, noise=0.3, rng=0)
    agree = (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(int)
    assert 0 < np.sum(agree != y) < 250


def test_circles_radii_are_one_and_factor_without_noise():
    X, y = data.circles(n=300, noise=0.0, factor=0.3, rng=0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_moons_lie_on_their_half_circles_without_noise():
    X, y = data.moons(n=300, noise=0.0, rng=0)
    P = X + np.array([0.5, 0.25])  # undo the centring
    np.testing.assert_allclose(np.linalg.norm(P[y == 0], axis=1), 1.0)
    assert np.all(P[y == 0, 1] >= 0)
    np.testing.assert_allclose(np.linalg.norm(P[y == 1] - np.array([1.0, 0.5]), axis=1), 1.0)
    assert np.all(P[y == 1, 1] <= 0.5)


def test_spirals_arms_are_half_a_turn_apart_without_noise():
    X, y = data.spirals(n=300, noise=0.0, rng=0, turns=1.75)
    r = np.linalg.norm(X, axis=1)
    assert np.all(r <= 1.0)
    expected_angle = 2 * np.pi * 1.75 * r + np.pi * y
    np.testing.assert_allclose(X[:, 0], r * np.cos(expected_angle), atol=1e-12)
    np.testing.assert_allclose(X[:, 1], r * np.sin(expected_angle), atol=1e-12)


def test_spam_features_are_named_and_in_unit_interval():
    assert data.SPAM_FEATURES == ("win_money", "suspicious_links", "known_sender")
    X, y = data.spam_emails(n=300, rng=0)
    assert X.shape == (300, 3)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert 0.35 < y.mean() < 0.65


def test_spam_without_noise_follows_the_documented_rule_and_is_separable():
    X, y = data.spam_emails(n=1000, noise=0.0, rng=5)
    evidence = X @ np.array([2.0, 2.0, -3.0]) - 0.5
    np.testing.assert_array_equal(y, (evidence > 0).astype(int))
    assert np.all(np.abs(evidence) >= 0.2)  # borderline emails are left out


def test_spam_is_likely_with_money_and_links_from_an_unknown_sender():
    X, y = data.spam_emails(n=2000, noise=0.0, rng=1)
    spammy = (X[:, 0] > 0.7) & (X[:, 1] > 0.7) & (X[:, 2] < 0.3)
    trusted = (X[:, 0] < 0.3) & (X[:, 1] < 0.3) & (X[:, 2] > 0.7)
    assert spammy.sum() > 10 and trusted.sum() > 10
    assert y[spammy].mean() == 1.0 and y[trusted].mean() == 0.0
    # columns 0 and 1 go with spam, column 2 against it
    assert X[y == 1, 0].mean() > X[y == 0, 0].mean()
    assert X[y == 1, 1].mean() > X[y == 0, 1].mean()
    assert X[y == 1, 2].mean() < X[y == 0, 2].mean()


def test_spam_noise_flips_about_that_share_of_labels():
    X, y = data.spam_emails(n=4000, noise=0.1, rng=2)
    rule = (X @ np.array([2.0, 2.0, -3.0]) > 0.5).astype(int)
    assert 0.08 < np.mean(rule != y) < 0.12


def test_rainbow_names_prototypes_and_yellow_is_red_plus_green():
    assert data.RAINBOW_NAMES == ("red", "orange", "yellow", "green", "blue", "indigo", "violet")
    assert data.RAINBOW_RGB.shape == (7, 3)
    red, yellow, green = (data.RAINBOW_RGB[data.RAINBOW_NAMES.index(c)]
                          for c in ("red", "yellow", "green"))
    np.testing.assert_array_equal(yellow, red + green)
    assert len({tuple(row) for row in data.RAINBOW_RGB}) == 7
    with pytest.raises(ValueError):
        data.RAINBOW_RGB[0, 0] = 0.5  # the prototypes are read-only


def test_rainbow_without_noise_returns_the_prototypes_in_equal_numbers():
    X, y = data.rainbow_colors(n=700, noise=0.0, rng=0)
    np.testing.assert_array_equal(X, data.RAINBOW_RGB[y])
    np.testing.assert_array_equal(np.bincount(y), [100] * 7)


def test_rainbow_noisy_colours_stay_nearest_to_their_own_prototype():
    X, y = data.rainbow_colors(n=700, rng=0)
    assert X.min() >= 0.0 and X.max() <= 1.0
    distances = np.linalg.norm(X[:, None, :] - data.RAINBOW_RGB[None, :, :], axis=2)
    assert np.mean(distances.argmin(axis=1) == y) > 0.95


@pytest.mark.parametrize(
    "name, expected",
    [("AND", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("Nand", [1, 1, 1, 0]), ("xor", [0, 1, 1, 0])],
)
def test_logic_gate_truth_tables(name, expected):
    X, y = data.logic_gate(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(y, expected)


def test_logic_gate_returns_fresh_arrays():
    X, y = data.logic_gate("AND")
    X[0, 0] = 9.0
    y[0] = 9
    X2, y2 = data.logic_gate("AND")
    assert X2[0, 0] == 0.0 and y2[0] == 0


def test_logic_gate_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="AND, OR, NAND, XOR"):
        data.logic_gate("NOR")
    with pytest.raises(TypeError, match="string"):
        data.logic_gate(3)


@pytest.mark.parametrize("make", ALL_GENERATORS, ids=lambda f: f.__name__)
def test_bad_n_and_negative_noise_are_refused(make):
    with pytest.raises(ValueError, match="n must be at least"):
        make(n=1)
    with pytest.raises(ValueError, match="n must be at least"):
        make(n=-5)
    with pytest.raises(TypeError, match="whole number"):
        make(n=10.5)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make(noise=-0.1)
    with pytest.raises(ValueError, match="finite"):
        make(noise=float("nan"))
    with pytest.raises(TypeError, match="noise must be a number"):
        make(noise="low")
    with pytest.raises(TypeError, match="rng"):
        make(rng="seed")


def test_other_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="at least 7"):
        data.rainbow_colors(n=6)
    with pytest.raises(ValueError, match="at most 0.5"):
        data.spam_emails(noise=0.7)
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=1.5)
    with pytest.raises(ValueError, match="turns"):
        data.spirals(turns=0)


def test_train_val_split_sizes_and_that_it_is_a_partition():
    X = np.arange(100, dtype=float).reshape(50, 2)
    y = np.arange(50)
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, val_fraction=0.2, rng=0)
    assert X_tr.shape == (40, 2) and y_tr.shape == (40,)
    assert X_val.shape == (10, 2) and y_val.shape == (10,)
    assert sorted(np.concatenate([y_tr, y_val])) == list(range(50))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows stay paired with labels
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)
    assert not np.array_equal(y_tr, np.arange(10, 50))  # shuffled


def test_train_val_split_is_deterministic_with_a_seed():
    X, y = data.moons(rng=0)
    a = data.train_val_split(X, y, rng=7)
    b = data.train_val_split(X, y, rng=7)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)


def test_train_val_split_stratified_keeps_class_proportions():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100.0)[:, None]
    _, y_tr, _, y_val = data.train_val_split(X, y, val_fraction=0.25, rng=0, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_val), [20, 5])
    np.testing.assert_array_equal(np.bincount(y_tr), [60, 15])


def test_train_val_split_keeps_at_least_one_example_on_each_side():
    X, y = np.zeros((3, 2)), np.array([0, 1, 0])
    X_tr, _, X_val, _ = data.train_val_split(X, y, val_fraction=0.01, rng=0)
    assert len(X_val) == 1 and len(X_tr) == 2


def test_train_val_split_refuses_bad_input():
    X, y = np.zeros((10, 2)), np.zeros(10, dtype=int)
    for bad in (0, 1, -0.2, 1.5):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            data.train_val_split(X, y, val_fraction=bad)
    with pytest.raises(ValueError, match="same number of rows"):
        data.train_val_split(X, y[:9])
    with pytest.raises(ValueError, match="at least 2 examples"):
        data.train_val_split(X[:1], y[:1])
    with pytest.raises(ValueError, match="each class needs at least 2"):
        data.train_val_split(X, np.array([0] * 9 + [1]), stratify=True)
