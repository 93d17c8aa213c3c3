"""Chapter 7's widgets: their reference functions agree with nnlib, and their JavaScript (run
under Node by tests/js/run_language.mjs) agrees with the reference functions.

- The page's transformer forward pass (nnlib/widgets/js/transformer.js) gives nnlib's logits
  and next-character probabilities to 1e-6, with the weights the page ships (float32).
- The attention explorer's weights are nnlib.attention.attention_weights with the scale
  1 / (sqrt(d) tau), in Python and in JavaScript, and its queries and keys are the ones the
  model's attention really uses (its ``last_weights``).
- A prompt the model cannot read (an unknown character, nothing at all) gets the same clear
  sentence in both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import require

from nnlib.attention import attention_weights
from nnlib.tokens import CharTokenizer
from nnlib.widgets import language as lw

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "js" / "run_language.mjs"
NODE = shutil.which("node")
TEXT = "the network learns its weights from examples, and a neuron fires.\nThe End!"


def run_js(request: dict):
    require(NODE is not None, "Node.js is not installed (it comes with npm: apt-get install npm)")
    done = subprocess.run([NODE, str(RUNNER)], input=json.dumps(request), capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, f"the JavaScript runner failed:\n{done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def tokenizer() -> CharTokenizer:
    return CharTokenizer(TEXT)


@pytest.fixture(scope="module")
def model(tokenizer):
    """A small TransformerLM with random weights, a few Adam steps away from its start (so that
    LayerNorm's gamma/beta and the biases are not at their initial 1 and 0)."""
    from nnlib.language_model import TransformerLM, train_language_model

    lm = TransformerLM(vocab_size=tokenizer.vocab_size, d_model=16, n_heads=4, n_layers=2,
                       context=12, rng=0)
    train_language_model(lm, np.array(tokenizer.encode(TEXT * 3)), steps=5, batch_size=4,
                         lr=1e-2, rng=0)
    return lm


# ----------------------------------------------------------------------------- shipping arrays


def test_packed_arrays_come_back_as_the_float32_numbers_with_their_shape():
    a = np.random.default_rng(0).normal(size=(3, 5))
    packed = lw.pack_array(a)
    assert packed["shape"] == [3, 5] and isinstance(packed["b64"], str)
    back = lw.unpack_array(packed)
    assert back.dtype == np.float64 and back.shape == (3, 5)
    np.testing.assert_array_equal(back, a.astype(np.float32).astype(np.float64))


def test_shipped_model_rounds_every_array_to_float32_and_leaves_the_model_alone(model):
    shipped = lw.shipped_model(model)
    original, rounded = lw.model_arrays(model), lw.model_arrays(shipped)
    assert original.keys() == rounded.keys()
    n = sum(a.size for a in original.values())
    assert n == sum(p.value.size for p in model.parameters()), (
        "model_arrays must ship every parameter of the model")
    for name, a in original.items():
        np.testing.assert_array_equal(rounded[name], a.astype(np.float32), err_msg=name)
        assert rounded[name] is not a
    assert any(not np.array_equal(a, a.astype(np.float32)) for a in original.values())


# ----------------------------------------------------------------------------- attention


def test_attention_explorer_at_tau_one_is_nnlibs_attention_weights():
    rng = np.random.default_rng(1)
    Q, K = rng.normal(size=(6, 8)), rng.normal(size=(6, 8))
    state = lw.attention_explorer_state(Q, K, 1.0, list("abcdef"), "layer 1, head 2")
    np.testing.assert_allclose(state["weights"], attention_weights(Q, K), rtol=0, atol=1e-15)
    assert np.allclose(state["weights"].sum(axis=1), 1)
    assert np.all(np.triu(state["weights"], 1) == 0), "the causal mask must hide the future"
    assert state["summary"].startswith("layer 1, head 2, τ = 1.00: the last character \"f\"")


def test_attention_temperature_sharpens_towards_argmax_and_flattens_towards_the_average():
    rng = np.random.default_rng(2)
    Q, K = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    sharp = lw.attention_explorer_state(Q, K, 0.1, list("abcde"))
    flat = lw.attention_explorer_state(Q, K, 3.0, list("abcde"))
    one = lw.attention_explorer_state(Q, K, 1.0, list("abcde"))
    assert sharp["mean_max"] > one["mean_max"] > flat["mean_max"]
    scores = Q @ K.T
    for i in range(5):
        assert np.argmax(sharp["weights"][i, :i + 1]) == np.argmax(scores[i, :i + 1])
    np.testing.assert_allclose(
        lw.attention_explorer_state(Q, K, 0.5, list("abcde"))["weights"],
        attention_weights(Q, K, scale=1 / (2 * 0.5)), atol=1e-15)


@pytest.mark.parametrize("tau", [0.1, 0.35, 1.0, 1.7, 3.0])
def test_attention_explorer_javascript_agrees_with_python(tau):
    rng = np.random.default_rng(int(tau * 100))
    Q, K = rng.normal(size=(9, 4)) * 2, rng.normal(size=(9, 4))
    tokens = list("a neuron.")
    packed_Q, packed_K = lw.pack_array(Q), lw.pack_array(K)
    Q32, K32 = lw.unpack_array(packed_Q), lw.unpack_array(packed_K)
    expected = lw.attention_explorer_state(Q32, K32, tau, tokens, "layer 2, head 1")
    got = run_js({"kind": "attention", "Q": packed_Q, "K": packed_K, "tau": tau,
                  "tokens": tokens, "head_name": "layer 2, head 1"})
    np.testing.assert_allclose(np.array(got["weights"]), expected["weights"], rtol=0, atol=1e-12)
    assert got["summary"] == expected["summary"]
    assert got["best"] == expected["best"]


def test_attention_explorer_rejects_a_temperature_that_is_not_positive():
    Q = np.ones((2, 2))
    with pytest.raises(ValueError, match="must be > 0"):
        lw.attention_explorer_state(Q, Q, 0, ["a", "b"])
    with pytest.raises(ValueError, match="T = 3 tokens"):
        lw.attention_explorer_state(Q, Q, 1, ["a", "b", "c"])


def test_queries_and_keys_are_the_ones_the_models_attention_uses(model, tokenizer):
    ids = tokenizer.encode("a neuron!")
    heads = lw.queries_and_keys(model, ids)
    assert len(heads) == 2 * 4
    model.forward(np.array([ids]))
    for layer, block in enumerate(model.blocks):
        for j in range(4):
            name, Q, K = heads[4 * layer + j]
            assert name == f"layer {layer + 1}, head {j + 1}"
            assert Q.shape == K.shape == (len(ids), 4)
            np.testing.assert_allclose(attention_weights(Q, K), block.attn.last_weights[0, j],
                                       atol=1e-12, err_msg=name)


# ----------------------------------------------------------------------------- next character


def test_prompt_problems_name_the_unknown_characters(tokenizer):
    chars = tokenizer.chars
    assert lw.prompt_problem("the end", chars) is None
    assert "at least one character" in lw.prompt_problem("", chars)
    message = lw.prompt_problem("the zoo?", chars)
    assert '"?"' in message and '"z"' in message and "the characters" in message
    assert f"only the {len(chars)} characters" in message
    assert "Remove or replace them" in message
    single = lw.prompt_problem("Q", chars)
    assert 'the character "Q"' in single and "Remove or replace it" in single


@pytest.mark.parametrize("prompt", ["", "the zoo?", "Q", "naïve"])
def test_javascript_gives_the_same_message_for_a_prompt_it_cannot_read(model, tokenizer, prompt):
    data = lw.next_char_data(model, tokenizer)
    got = run_js({"kind": "next_char", "data": data, "prompt": prompt, "T": 1.0})
    assert got == {"problem": lw.prompt_problem(prompt, tokenizer.chars)}


def test_javascript_forward_pass_gives_nnlibs_logits(model, tokenizer):
    shipped = lw.shipped_model(model)
    data = lw.next_char_data(model, tokenizer)
    for text in ["t", "the network", "weights from ex"[:12]]:
        ids = tokenizer.encode(text)
        expected = shipped.forward(np.array([ids]))[0]
        got = np.array(run_js({"kind": "logits", "data": data, "ids": ids}))
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6,
                                   err_msg=f"logits of {text!r}")


@pytest.mark.parametrize("T", [0.0, 0.7, 1.0, 1.5, 2.0])
@pytest.mark.parametrize("prompt", ["The ", "the network learns its"])
def test_javascript_next_character_probabilities_agree_with_nnlib(model, tokenizer, T, prompt):
    shipped = lw.shipped_model(model)
    expected = lw.next_char_state(shipped, tokenizer.chars, prompt, T)
    got = run_js({"kind": "next_char", "data": lw.next_char_data(model, tokenizer),
                  "prompt": prompt, "T": T})
    np.testing.assert_allclose(got["probabilities"], expected["probabilities"], rtol=0,
                               atol=1e-6)
    assert got["top"] == expected["top"]
    assert got["summary"] == expected["summary"]
    assert (got["used"], got["n"]) == (min(len(prompt), 12), len(prompt))


def test_next_char_state_is_next_token_probabilities_and_crops_to_the_context(model, tokenizer):
    from nnlib.language_model import next_token_probabilities

    prompt = "the network learns its weights"
    state = lw.next_char_state(model, tokenizer.chars, prompt, 0.7)
    np.testing.assert_array_equal(
        state["probabilities"],
        next_token_probabilities(model, tokenizer.encode(prompt[-12:]), temperature=0.7))
    assert state["used"] == 12 and state["n"] == len(prompt)
    assert state["summary"].startswith(
        'After "␣its␣weights" (the last 12 of 30 characters) at T = 0.70: most likely "')
    greedy = lw.next_char_state(model, tokenizer.chars, prompt, 0)
    assert sorted(greedy["probabilities"])[-1] == 1.0


# ----------------------------------------------------------------------------- the builders


def test_next_char_widget_links_the_text_box_and_the_slider_to_the_view(model, tokenizer):
    box = lw.next_char_widget(model, tokenizer, prompt="the ")
    text, slider, view = box.children
    assert isinstance(view, lw.NextCharView)
    assert (text.description, text.value, view.prompt) == ("prompt", "the ", "the ")
    assert (slider.description, slider.min, slider.max, view.T) == ("temperature T", 0.0,
                                                                    lw.T_MAX, 1.0)
    assert view.data["config"]["context"] == 12 and view.data["chars"] == tokenizer.chars
    assert len(box._links) == 2
    assert 'from "./' not in view._esm, "the view's code must have its helpers inlined"


def test_widgets_refuse_a_prompt_or_sentence_outside_the_vocabulary(model, tokenizer):
    with pytest.raises(ValueError, match='does not know the character "Z"'):
        lw.next_char_widget(model, tokenizer, prompt="Zen")
    with pytest.raises(ValueError, match="does not know"):
        lw.attention_explorer_widget(model, tokenizer, sentences=("the quiz",))
    with pytest.raises(ValueError, match="reads at most 12"):
        lw.attention_explorer_widget(model, tokenizer, sentences=("the network learns",))


def test_attention_explorer_widget_ships_every_heads_queries_and_keys(model, tokenizer):
    box = lw.attention_explorer_widget(model, tokenizer, sentences=("the end", "a neuron"))
    (choices, tau, view) = box.children
    sentence, head = choices.children
    assert isinstance(view, lw.AttentionExplorerView)
    assert list(sentence.options) == ["the end", "a neuron"]
    assert list(head.options) == [f"layer {n}, head {h}" for n in (1, 2) for h in (1, 2, 3, 4)]
    assert (tau.min, tau.max, tau.value) == (lw.TAU_MIN, lw.TAU_MAX, 1.0)
    shipped = view.data["sentences"][1]
    assert shipped["tokens"] == list("a neuron") and len(shipped["heads"]) == 8
    _, Q, K = lw.queries_and_keys(model, tokenizer.encode("a neuron"))[5]
    np.testing.assert_array_equal(lw.unpack_array(shipped["heads"][5]["Q"]),
                                  Q.astype(np.float32))
    np.testing.assert_array_equal(lw.unpack_array(shipped["heads"][5]["K"]),
                                  K.astype(np.float32))
    assert len(box._links) == 3
