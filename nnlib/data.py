"""Small data sets: synthetic ones generated locally, and one real set shipped with nnlib.

Nothing is downloaded. Every generator is deterministic for a given ``rng`` (an int seed or a
``np.random.Generator``; ``None`` gives fresh randomness), returns features ``X`` as float64 and
labels ``y`` as int64, and shuffles the examples, so the first rows are a fair sample of the
whole set.

=================  =============  ===========  =========================================
function           X shape        y values     used for
=================  =============  ===========  =========================================
spam_emails        (n, 3)         0, 1         chapter 1: the spam-email neuron
rainbow_colors     (n, 3)         0 .. 6       chapter 2: seven-colour softmax classifier
logic_gate         (4, 2)         0, 1         chapter 1-2: AND, OR, NAND, XOR
quadrants          (n, 2)         0, 1         chapter 4: XOR-style, TensorFlow Playground
circles            (n, 2)         0, 1         chapter 4: a ring around a disc
moons              (n, 2)         0, 1         chapter 4: two interleaved half circles
spirals            (n, 2)         0, 1         chapter 4: two interleaved spirals
load_digits        (1797, 8, 8)   0 .. 9       chapter 6: real handwritten digits (a file)
=================  =============  ===========  =========================================

``load_digits`` reads real data from a file inside the package (source and licence in
``nnlib/datasets/README.md`` and in ``DIGITS_SOURCE``); its order is the file's, not shuffled.

``train_val_split`` splits any of them into a training and a validation part.
"""

from __future__ import annotations

import gzip
import numbers
from pathlib import Path

import numpy as np

from nnlib._utils import as_rng

__all__ = [
    "SPAM_FEATURES",
    "RAINBOW_NAMES",
    "RAINBOW_RGB",
    "LOGIC_GATES",
    "spam_emails",
    "rainbow_colors",
    "logic_gate",
    "quadrants",
    "circles",
    "moons",
    "spirals",
    "train_val_split",
    "load_digits",
    "DIGITS_SOURCE",
]

SPAM_FEATURES = ("win_money", "suspicious_links", "known_sender")
"""Column names of :func:`spam_emails`, in order."""

RAINBOW_NAMES = ("red", "orange", "yellow", "green", "blue", "indigo", "violet")
"""Class names of :func:`rainbow_colors`: label ``k`` is ``RAINBOW_NAMES[k]``."""

RAINBOW_RGB = np.array(
    [
        [1.00, 0.00, 0.00],  # red:    red light only
        [1.00, 0.50, 0.00],  # orange: red light and half as much green
        [1.00, 1.00, 0.00],  # yellow: red + green light, no blue
        [0.00, 1.00, 0.00],  # green:  green light only
        [0.00, 0.00, 1.00],  # blue:   blue light only
        [0.29, 0.00, 0.51],  # indigo: dark blue with some red (HTML "indigo", #4B0082)
        [0.56, 0.00, 1.00],  # violet: blue with more red (#8F00FF, spectral violet)
    ]
)
"""Prototype colour of each rainbow class, shape (7, 3), RGB in [0, 1] (sRGB screen values).

Row ``k`` belongs to ``RAINBOW_NAMES[k]``. Screens mix light, so yellow is full red plus full
green; indigo and violet are blue with increasing amounts of red.
"""
RAINBOW_RGB.setflags(write=False)

_GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
LOGIC_GATES = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "XOR": (0, 1, 1, 0),
}
"""Truth table of each gate: outputs for the inputs (0, 0), (0, 1), (1, 0), (1, 1)."""


# --- argument checks ---------------------------------------------------------------------

def _check_n(n: int, minimum: int, name: str) -> int:
    """Return ``n`` as an int, or raise if it is not a whole number >= ``minimum``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name}: n must be a whole number of examples, got {n!r:.60}.")
    if n < minimum:
        raise ValueError(
            f"{name}: n must be at least {minimum} (so that every class appears), got {n}."
        )
    return int(n)


def _check_noise(noise: float, name: str, upper: float | None = None) -> float:
    """Return ``noise`` as a float, or raise if it is negative, not finite, or above ``upper``."""
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"{name}: noise must be a number, got {noise!r:.60}.")
    if not np.isfinite(noise):
        raise ValueError(f"{name}: noise must be a finite number, got {noise}.")
    if noise < 0:
        raise ValueError(f"{name}: noise must be >= 0, got {noise}.")
    if upper is not None and noise > upper:
        raise ValueError(f"{name}: noise must be at most {upper}, got {noise}.")
    return float(noise)


def _balanced_labels(n: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels 0..n_classes-1, as equal in number as n allows, in random order. Shape (n,)."""
    y = np.arange(n) % n_classes
    return rng.permutation(y).astype(np.int64)


# --- chapter 1 and 2 data sets ------------------------------------------------------------

def spam_emails(
    n: int = 200, noise: float = 0.05, rng: None | int | np.random.Generator = None
) -> tuple[np.ndarray, np.ndarray]:
    """Emails described by three numbers in [0, 1], labelled spam (1) or not spam (0).

    The columns are ``SPAM_FEATURES``: how strongly the email promises money ("Win $$$"), how
    suspicious its links look, and how well we know the sender.

    The story behind the numbers: each email gets the three scores at random (uniform in
    [0, 1]); a careful reader then labels it spam when the evidence against it outweighs the
    trust in the sender,

        2 * win_money + 2 * suspicious_links - 3 * known_sender > 0.5,

    so spam is likely when the first two are high and the third is low. Borderline emails, whose
    evidence lies within 0.2 of the threshold, are left out: the reader hesitates over them.
    Finally each label is flipped with probability ``noise`` (the reader's mistakes). With
    ``noise=0`` the two classes are separable by a plane, so a perceptron learns them exactly.

    Parameters
    ----------
    n : number of emails (at least 2).
    noise : probability, in [0, 0.5], that an email's label is flipped.
    rng : int seed, ``np.random.Generator`` or None.

    Returns
    -------
    X : float64 array, shape (n, 3), values in [0, 1].
    y : int64 array, shape (n,), 1 = spam, 0 = not spam (about half of each).
    """
    n = _check_n(n, 2, "spam_emails")
    noise = _check_noise(noise, "spam_emails", upper=0.5)
    gen = as_rng(rng)
    weights, threshold, margin = np.array([2.0, 2.0, -3.0]), 0.5, 0.2

    kept = np.empty((0, 3))
    while len(kept) < n:  # about 3 in 4 emails are clear-cut; draw until we have n of them
        emails = gen.uniform(0.0, 1.0, size=(2 * n, 3))
        evidence = emails @ weights - threshold
        kept = np.concatenate([kept, emails[np.abs(evidence) >= margin]])
    X = kept[:n]
    y = (X @ weights > threshold).astype(np.int64)
    flip = gen.random(n) < noise
    y[flip] = 1 - y[flip]
    return X, y


def rainbow_colors(
    n: int = 700, noise: float = 0.08, rng: None | int | np.random.Generator = None
) -> tuple[np.ndarray, np.ndarray]:
    """Colours near the seven rainbow prototypes ``RAINBOW_RGB``, labelled 0..6.

    Each example is its class's prototype RGB plus Gaussian noise of standard deviation
    ``noise`` on each channel, clipped to [0, 1] (a screen cannot show more than full light).
    The classes are as equal in size as ``n`` allows (``n=700`` gives 100 of each).

    Parameters
    ----------
    n : number of colours (at least 7, so that every class appears).
    noise : standard deviation of the noise added to each channel (>= 0).
    rng : int seed, ``np.random.Generator`` or None.

    Returns
    -------
    X : float64 array, shape (n, 3), RGB values in [0, 1].
    y : int64 array, shape (n,), values 0..6; ``RAINBOW_NAMES[y[i]]`` names example i.
    """
    n = _check_n(n, len(RAINBOW_NAMES), "rainbow_colors")
    noise = _check_noise(noise, "rainbow_colors")
    gen = as_rng(rng)
    y = _balanced_labels(n, len(RAINBOW_NAMES), gen)
    X = RAINBOW_RGB[y] + gen.normal(0.0, noise, size=(n, 3))
    return np.clip(X, 0.0, 1.0), y


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input logic gate: "AND", "OR", "NAND" or "XOR".

    The name is case-insensitive. The inputs are always, in this order,
    (0, 0), (0, 1), (1, 0), (1, 1).

    Returns
    -------
    X : float64 array, shape (4, 2), the inputs.
    y : int64 array, shape (4,), the gate's output for each row of X.
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate expected a gate name (a string), got {name!r:.60}.")
    key = name.strip().upper()
    if key not in LOGIC_GATES:
        raise ValueError(
            f"logic_gate: unknown gate {name!r}; expected one of {', '.join(LOGIC_GATES)}."
        )
    return _GATE_INPUTS.copy(), np.array(LOGIC_GATES[key], dtype=np.int64)


# --- chapter 4 two-dimensional data sets (as in the TensorFlow Playground) -----------------

def quadrants(
    n: int = 400, noise: float = 0.0, rng: None | int | np.random.Generator = None
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR data set: label 1 where x1 and x2 have the same sign, 0 where they differ.

    Points lie in the square [-1, 1]^2 (the TensorFlow Playground uses [-6, 6]; we scale it
    down, which suits networks with small initial weights). As in the Playground, each
    coordinate keeps a distance of at least 0.05 from the axes, so that with ``noise=0`` no
    point sits on a boundary. Labels are decided first; then Gaussian noise of standard
    deviation ``noise`` moves the points, so with noise some points end up in the "wrong"
    quadrant. Exactly half of the points (up to one) have each label.

    Parameters
    ----------
    n : number of points (at least 2).
    noise : standard deviation of the noise added to each coordinate (>= 0).
    rng : int seed, ``np.random.Generator`` or None.

    Returns
    -------
    X : float64 array, shape (n, 2).
    y : int64 array, shape (n,), 1 in the first and third quadrants, 0 in the second and fourth.
    """
    n = _check_n(n, 2, "quadrants")
    noise = _check_noise(noise, "quadrants")
    gen = as_rng(rng)
    y = _balanced_labels(n, 2, gen)
    magnitude = gen.uniform(0.05, 1.0, size=(n, 2))
    sign1 = gen.choice([-1.0, 1.0], size=n)
    sign2 = np.where(y == 1, sign1, -sign1)
    X = magnitude * np.column_stack([sign1, sign2])
    return X + gen.normal(0.0, noise, size=X.shape), y


def circles(
    n: int = 400,
    noise: float = 0.05,
    factor: float = 0.5,
    rng: None | int | np.random.Generator = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A disc-shaped class inside a ring-shaped class.

    Label 0 lies on the circle of radius 1, label 1 on the circle of radius ``factor``, at
    random angles; Gaussian noise of standard deviation ``noise`` is added to each coordinate.
    Half of the points (up to one) have each label.

    Parameters
    ----------
    n : number of points (at least 2).
    noise : standard deviation of the noise added to each coordinate (>= 0).
    factor : radius of the inner circle relative to the outer one, strictly between 0 and 1.
    rng : int seed, ``np.random.Generator`` or None.

    Returns
    -------
    X : float64 array, shape (n, 2), roughly in [-1, 1]^2.
    y : int64 array, shape (n,), 0 = outer ring, 1 = inner circle.
    """
    n = _check_n(n, 2, "circles")
    noise = _check_noise(noise, "circles")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"circles: factor must be strictly between 0 and 1, got {factor!r}.")
    gen = as_rng(rng)
    y = _balanced_labels(n, 2, gen)
    angle = gen.uniform(0.0, 2 * np.pi, size=n)
    radius = np.where(y == 1, float(factor), 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + gen.normal(0.0, noise, size=X.shape), y


def moons(
    n: int = 400, noise: float = 0.1, rng: None | int | np.random.Generator = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles ("moons").

    Label 0 lies on the upper half of the unit circle, label 1 on a lower half circle shifted
    right by 1 and up by 0.5, so each moon reaches into the other's hollow (the layout of
    scikit-learn's ``make_moons``). The whole set is then shifted by (-0.5, -0.25) so it is
    centred on the origin, and Gaussian noise of standard deviation ``noise`` is added.

    Parameters
    ----------
    n : number of points (at least 2).
    noise : standard deviation of the noise added to each coordinate (>= 0).
    rng : int seed, ``np.random.Generator`` or None.

    Returns
    -------
    X : float64 array, shape (n, 2), roughly in [-1.5, 1.5] x [-0.75, 0.75].
    y : int64 array, shape (n,), 0 = upper moon, 1 = lower moon.
    """
    n = _check_n(n, 2, "moons")
    noise = _check_noise(noise, "moons")
    gen = as_rng(rng)
    y = _balanced_labels(n, 2, gen)
    t = gen.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    return X + gen.normal(0.0, noise, size=X.shape), y


def spirals(
    n: int = 400,
    noise: float = 0.0,
    rng: None | int | np.random.Generator = None,
    turns: float = 1.75,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, each winding ``turns`` times around the origin.

    A point at radius r (uniform in [0, 1]) sits at angle ``2 * pi * turns * r``, plus half a turn
    for label 1, so the two arms never cross (the TensorFlow Playground's spiral, scaled to the
    unit disc). Gaussian noise of standard deviation ``noise`` is added to each coordinate.
    Half of the points (up to one) have each label.

    Parameters
    ----------
    n : number of points (at least 2).
    noise : standard deviation of the noise added to each coordinate (>= 0).
    rng : int seed, ``np.random.Generator`` or None.
    turns : how many times each arm winds around the centre (> 0).

    Returns
    -------
    X : float64 array, shape (n, 2), within the unit disc when ``noise=0``.
    y : int64 array, shape (n,), 0 or 1: which arm the point lies on.
    """
    n = _check_n(n, 2, "spirals")
    noise = _check_noise(noise, "spirals")
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not turns > 0:
        raise ValueError(f"spirals: turns must be a positive number, got {turns!r}.")
    gen = as_rng(rng)
    y = _balanced_labels(n, 2, gen)
    r = gen.uniform(0.0, 1.0, size=n)
    angle = 2 * np.pi * float(turns) * r + np.pi * y
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + gen.normal(0.0, noise, size=X.shape), y


# --- splitting ----------------------------------------------------------------------------

def train_val_split(
    X: np.ndarray,
    y: np.ndarray,
    val_fraction: float = 0.2,
    rng: None | int | np.random.Generator = None,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split examples at random into a training part and a validation part.

    ``round(val_fraction * n)`` examples (at least 1, at most n - 1) go to validation. With
    ``stratify=True`` each class is split separately, so both parts keep the class proportions
    of ``y`` (every class then needs at least 2 examples).

    Parameters
    ----------
    X : array, shape (n, ...), the features (any number of trailing dimensions).
    y : array, shape (n,) or (n, ...), the labels or targets.
    val_fraction : share of the examples used for validation, strictly between 0 and 1.
    rng : int seed, ``np.random.Generator`` or None.
    stratify : keep the class proportions in both parts (y must hold class labels).

    Returns
    -------
    X_train : shape (n - n_val, ...)
    y_train : shape (n - n_val, ...)
    X_val : shape (n_val, ...)
    y_val : shape (n_val, ...)
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"train_val_split expected arrays with one row per example, got X of shape "
            f"{X.shape} and y of shape {y.shape}."
        )
    if len(X) != len(y):
        raise ValueError(
            f"train_val_split expected X and y with the same number of rows, got X of shape "
            f"{X.shape} and y of shape {y.shape}."
        )
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) or not (
        0 < val_fraction < 1
    ):
        raise ValueError(
            f"train_val_split: val_fraction must be strictly between 0 and 1, got "
            f"{val_fraction!r}."
        )
    n = len(X)
    if n < 2:
        raise ValueError(f"train_val_split needs at least 2 examples to split, got {n}.")
    gen = as_rng(rng)

    if not stratify:
        n_val = min(max(round(val_fraction * n), 1), n - 1)
        order = gen.permutation(n)
        val_idx, train_idx = order[:n_val], order[n_val:]
    else:
        if y.ndim != 1:
            raise ValueError(
                f"train_val_split(stratify=True) expected class labels of shape (n,), "
                f"got y of shape {y.shape}."
            )
        val_parts, train_parts = [], []
        for label in np.unique(y):
            members = gen.permutation(np.flatnonzero(y == label))
            if len(members) < 2:
                raise ValueError(
                    f"train_val_split(stratify=True): class {label!r} has only "
                    f"{len(members)} example; each class needs at least 2. Use stratify=False."
                )
            n_val = min(max(round(val_fraction * len(members)), 1), len(members) - 1)
            val_parts.append(members[:n_val])
            train_parts.append(members[n_val:])
        val_idx = gen.permutation(np.concatenate(val_parts))
        train_idx = gen.permutation(np.concatenate(train_parts))
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]


# --- real data shipped with the package -------------------------------------------------------

DIGITS_SOURCE = (
    "E. Alpaydin and C. Kaynak (1998), Optical Recognition of Handwritten Digits, test part "
    "(optdigits.tes), UCI Machine Learning Repository, "
    "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits, "
    "licence CC BY 4.0"
)
"""Where the digits of :func:`load_digits` come from, and their licence (cite it with them)."""

_DIGITS_FILE = Path(__file__).parent / "datasets" / "digits.csv.gz"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits: 1,797 grey images of 8x8 pixels and their labels 0..9.

    Each pixel is the number of "on" pixels in a 4x4 block of a 32x32 scan, so its value is an
    integer from 0 (white paper) to 16 (all ink); divide by 16 for values in [0, 1]. The images
    were written by 13 people. The data ships with nnlib (no download); see ``DIGITS_SOURCE``.

    Returns
    -------
    images : float64 array, shape (1797, 8, 8), values 0..16; ``images[i, r, c]`` is row r,
        column c of image i. A CNN wants (N, C, H, W): ``images[:, None] / 16`` has shape
        (1797, 1, 8, 8); a dense network wants rows: ``images.reshape(-1, 64) / 16``.
    labels : int64 array, shape (1797,), the digit shown, 0..9 (about 180 of each).
    """
    with gzip.open(_DIGITS_FILE, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"load_digits expected 1797 rows of 65 numbers in {_DIGITS_FILE.name}, "
                         f"got shape {table.shape}: the file is damaged; reinstall nnlib.")
    return table[:, :64].reshape(-1, 8, 8).astype(np.float64), table[:, 64].copy()
