"""The machinery of the live widgets (nnlib/widgets/live.py, nnlib/widgets/js/).

- ``esm`` makes one self-contained ES module per widget (shared helpers inlined);
- every widget script names the nnlib function it mirrors;
- the shared JavaScript agrees with Python and nnlib, run by Node.js (installed with npm, which
  the site build needs): number formatting digit for digit with Python's format specs, numpy's
  seeded random numbers and sums bit for bit; the activations, their derivatives and softmax to
  about 1e-12 (JavaScript's exp and tanh may differ from numpy's in the last bit; the exact
  GELU uses a series for erf, within 3e-15 of Python's math.erf);
- the site serves anywidget's front end (that the scripts ship inside the nnlib wheel is
  checked on the wheel the site's build made: tests/test_jupyterlite.py).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import require

from nnlib.activations import get_activation
from nnlib.widgets.live import JS_DIR, esm
from tools.site import assets

NODE = shutil.which("node")


def run_node(script: str) -> object:
    """Run an ES module in Node.js with the widgets' js/ folder importable; return its JSON."""
    require(NODE is not None, "Node.js is not installed (it comes with npm: apt-get install npm)")
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def js_url(name: str) -> str:
    return (JS_DIR / name).as_uri()


WIDGET_SCRIPTS = ["spam_neuron.js", "decision_boundary.js", "network_builder.js",
                  "temperature.js", "activation_explorer.js", "training_time.js",
                  "attention_explorer.js", "next_char.js"]


@pytest.mark.parametrize("script", WIDGET_SCRIPTS)
def test_esm_inlines_the_shared_helpers_into_one_module(script):
    code = esm(script)
    assert not re.search(r'^import .* from "\./', code, re.MULTILINE), "a local import is left"
    assert code.count("export default") == 1
    assert "function liveArea" in code and "function redrawOn" in code


@pytest.mark.parametrize("script", sorted(p.name for p in JS_DIR.glob("*.js")))
def test_every_script_says_what_it_mirrors_or_shares(script):
    head = "\n".join((JS_DIR / script).read_text(encoding="utf-8").splitlines()[:8])
    assert head.startswith("//") and ("nnlib" in head or "numpy" in head), head


def test_esm_names_a_missing_script():
    with pytest.raises(FileNotFoundError, match="no widget script"):
        esm("nothing_here.js")


FORMAT_CASES = [
    (0.125, ".2f"), (0.375, ".2f"), (2.675, ".2f"), (-4.325, ".2f"), (-0.001, ".2f"),
    (-0.0, "+.2f"), (0.0, "+.2f"), (3.5, "+.2f"), (1 / 3, ".3f"), (0.9999, ".3f"),
    (2.5, ".0f"), (3.5, ".0f"), (1234567.891, ",.0f"), (999.5, ",.0f"), (0.05, ".1f"),
    (28.5, "g"), (0.5, "g"), (1e-5, "g"), (123456789.0, "g"), (1.0, "g"), (100.0, "g"),
    (3.15e23, ".3g"), (1.2799999e17, ".3g"), (0.0826, ".3g"), (28.47, ".3g"), (999.5, ".3g"),
    (0.00012345, ".3g"), (1234.5, ",.3g"), (12345678.0, ",.3g"), (0.4, ".0%"), (0.355, ".0%"),
    (1e21, ".3g"), (4.5e24, ",.0f"), (float("inf"), ".2f"), (float("nan"), ".2f"),
]


def test_format_writes_numbers_exactly_as_python_does():
    rng = np.random.default_rng(7)
    cases = list(FORMAT_CASES)
    for spec in (".2f", "+.2f", ".3f", ".1f", ".3g", "g", ",.3g", ",.0f", ".0%"):
        values = rng.normal(size=40) * 10.0 ** rng.integers(-6, 12, size=40)
        cases += [(float(v), spec) for v in values]
        cases += [(round(float(v), 3), spec) for v in values[:10]]  # more exact ties
    payload = json.dumps([[repr(v), spec] for v, spec in cases])
    got = run_node(
        f'import {{ format }} from "{js_url("format.js")}";\n'
        f"const cases = {payload};\n"
        "console.log(JSON.stringify(cases.map(([v, s]) => format(Number(v === 'nan' ? NaN : "
        "v === 'inf' ? Infinity : v), s))));"
    )
    expected = [format(v, spec) for v, spec in cases]
    wrong = [(v, spec, g, e) for (v, spec), g, e in zip(cases, got, expected, strict=True)
             if g != e]
    assert wrong == [], "format.js differs from Python (value, spec, js, python):\n" + "\n".join(
        map(str, wrong[:20]))


def test_numpy_random_draws_the_same_numbers_as_numpy_default_rng():
    seeds = [0, 1, 42, 99, 123456789, 2**32 - 1]
    got = run_node(
        f'import {{ defaultRng, choice }} from "{js_url("numpy_random.js")}";\n'
        f"const seeds = {json.dumps(seeds)};\n"
        "console.log(JSON.stringify({uniform: seeds.map(s => { const r = defaultRng(s); "
        "return Array.from({length: 5}, () => r.random()); }), "
        "choice: seeds.map(s => choice(defaultRng(s), [0.1, 0.0, 0.6, 0.3], 50))}));"
    )
    for seed, values, picks in zip(seeds, got["uniform"], got["choice"], strict=True):
        assert values == np.random.default_rng(seed).random(5).tolist(), seed
        expected = np.random.default_rng(seed).choice(4, size=50, p=[0.1, 0.0, 0.6, 0.3])
        assert picks == expected.tolist(), seed


def test_activations_and_derivatives_agree_with_nnlib():
    x = np.concatenate([np.linspace(-20, 20, 401), [0.0, -1e-9, 1e-9, 3.7, -6.5]])
    names = ["step", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "identity"]
    got = run_node(
        f'import {{ ACTIVATIONS }} from "{js_url("activations.js")}";\n'
        f"const x = {json.dumps(x.tolist())};\n"
        f"const names = {json.dumps(names)};\n"
        "console.log(JSON.stringify(Object.fromEntries(names.map(n => "
        "[n, [x.map(ACTIVATIONS[n][0]), x.map(ACTIVATIONS[n][1])]]))));"
    )
    for name in names:
        f, grad = get_activation(name)
        np.testing.assert_allclose(got[name][0], f(x), rtol=1e-12, atol=1e-13, err_msg=name)
        np.testing.assert_allclose(got[name][1], grad(x), rtol=1e-12, atol=1e-13, err_msg=name)


def test_softmax_and_pairwise_sum_round_as_numpy_does():
    rng = np.random.default_rng(3)
    arrays = [rng.random(n) * 10.0 ** rng.integers(-8, 8, n) for n in (3, 8, 9, 17, 201, 300)]
    got = run_node(
        f'import {{ pairwiseSum, softmax }} from "{js_url("activations.js")}";\n'
        f"const arrays = {json.dumps([a.tolist() for a in arrays])};\n"
        "console.log(JSON.stringify({sums: arrays.map(a => pairwiseSum(a)), "
        "soft: [0, 0.5, 1, 3].map(T => softmax([4, 3, 2.6, 2.2, 1.5, 1.2, 0.5, -1], T))}));"
    )
    assert got["sums"] == [float(np.sum(a)) for a in arrays]
    from nnlib.activations import softmax

    z = np.array([4, 3, 2.6, 2.2, 1.5, 1.2, 0.5, -1])
    for T, probs in zip([0, 0.5, 1, 3], got["soft"], strict=True):
        np.testing.assert_allclose(probs, softmax(z, temperature=T), rtol=1e-14, err_msg=str(T))
    assert math.isclose(sum(got["soft"][2]), 1.0)


def test_site_serves_anywidgets_front_end_and_requirejs_finds_it(tmp_path):
    import anywidget

    if not (assets.NODE_MODULES / "requirejs").is_dir():
        require(False, "node_modules is missing: run npm ci")
    assets.copy_assets(tmp_path)
    served = tmp_path / "vendor" / "anywidget" / "index.js"
    wheel_copy = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    assert served.read_bytes() == wheel_copy.read_bytes()
    assert 'define(["@jupyter-widgets/base"]' in served.read_text(encoding="utf-8")
    config = (tmp_path / "vendor" / "require_config.js").read_text(encoding="utf-8")
    assert 'anywidget: "anywidget/index"' in config
    pinned = re.search(r"^anywidget==(\S+)$", (JS_DIR.parents[2] / "requirements.txt")
                       .read_text(encoding="utf-8"), re.MULTILINE)
    assert pinned and pinned.group(1) == anywidget.__version__
