"""Tests of nnlib.data.load_digits: the real handwritten digits shipped inside the package."""

import gzip
from pathlib import Path

import numpy as np

import nnlib
from nnlib.data import DIGITS_SOURCE, load_digits

DATA_DIR = Path(nnlib.__file__).parent / "datasets"


def test_digits_have_the_documented_shapes_values_and_class_sizes():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    np.testing.assert_array_equal(images, np.round(images))          # pixel counts 0..16
    np.testing.assert_array_equal(np.bincount(labels),
                                  [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_first_digit_is_the_zero_of_the_uci_file():
    images, labels = load_digits()
    assert labels[0] == 0
    np.testing.assert_array_equal(images[0, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    np.testing.assert_array_equal(images[0, :, 0], 0)               # an empty left column
    assert images[0, 3:5, 3:5].sum() == 0                           # the hole of the zero


def test_each_call_returns_fresh_arrays():
    a, y = load_digits()
    a[0, 0, 0] = 99.0
    y[0] = 7
    b, z = load_digits()
    assert b[0, 0, 0] == 0 and z[0] == 0


def test_data_file_states_its_source_and_licence_and_is_reproducible():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for fact in ("CC BY 4.0", "Alpaydin", "Kaynak", "archive.ics.uci.edu/dataset/80",
                 "optdigits.tes"):
        assert fact in readme, fact
        assert fact in DIGITS_SOURCE, fact
    raw = (DATA_DIR / "digits.csv.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0", "the gzip header should carry no time stamp"
    lines = gzip.decompress(raw).decode("ascii").splitlines()
    assert len(lines) == 1797 and all(len(line.split(",")) == 65 for line in lines)


def test_digits_file_is_declared_as_package_data():
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"datasets/*.csv.gz"' in pyproject
