"""Chapter 5: the numbers the reading page states in prose are what nnlib computes.

The page computes its tables in code, but many results are also written into the text (the
parameter counts of the 3-4-2 and 784-256-128-10 networks and of GPT-2 and GPT-3 by the rule of
thumb, memory of a 7B model, 6ND for GPT-3 and Llama 3.1, the A100 training time, the
compute-optimal split of GPT-3's budget, the Llama layout figures). These tests recompute them,
so a change of nnlib that would make the prose wrong fails here. They also check the page's
form: every plot has alt text, the GPT-4 figure is labelled unconfirmed, and the page ends with a
summary linking to its exercises.
"""

from pathlib import Path

import jupytext
import pytest

from nnlib import scale
from nnlib.widgets.scale import describe_duration, training_estimate

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "05_scale.md"
MODELS = {m.name: m for m in scale.PUBLISHED_MODELS}


def rule_of_thumb(n_layers, d, vocab):
    return 12 * d**2 * n_layers + vocab * d


def test_mlp_counts_in_the_prose():
    assert scale.mlp_parameters([3, 4, 2]) == 26
    assert scale.mlp_parameters([784, 256, 128, 10]) == 235_146 == 200_960 + 32_896 + 1_290
    assert round(200_960 / 235_146, 2) == 0.85
    assert scale.mlp_parameters([2, 64, 64, 2]) == 4_482


def test_transformer_rule_of_thumb_numbers_in_the_prose():
    assert 12 * 768**2 * 12 == 84_934_656 and 50_257 * 768 == 38_597_376
    assert rule_of_thumb(12, 768, 50_257) == 123_532_032
    assert rule_of_thumb(96, 12_288, 50_257) == pytest.approx(174.6e9, rel=1e-3)
    for name in ("BERT-base", "GPT-2 small", "GPT-3 175B", "Llama 3.1 405B"):
        m = MODELS[name]
        simple = rule_of_thumb(m.n_layers, m.d_model, m.vocab_size)
        assert abs(simple / m.n_params - 1) < 0.015, name  # "within 1.5%"
    llama = MODELS["Llama 3 70B"]
    simple = rule_of_thumb(llama.n_layers, llama.d_model, llama.vocab_size)
    assert simple / llama.n_params - 1 == pytest.approx(-0.07, abs=0.01)  # "7% low"
    assert llama.d_ff == 3.5 * llama.d_model  # "hidden width of 3.5d"
    d_kv = llama.n_kv_heads * llama.d_model // llama.n_heads
    assert (2 * llama.d_model**2 + 2 * llama.d_model * d_kv) / llama.d_model**2 == 2.25


def test_full_count_lands_within_half_a_percent_of_every_published_size():
    for name in ("BERT-base", "GPT-2 small", "GPT-3 175B", "Llama 3 70B", "Llama 3.1 405B"):
        m = MODELS[name]
        assert abs(m.estimate() / m.n_params - 1) < 0.005, name


def test_memory_numbers_in_the_prose():
    assert scale.memory_bytes(7e9, "fp16") / 1e9 == 14
    assert scale.memory_bytes(7e9, "fp16") / 2**30 == pytest.approx(13.04, abs=0.005)
    llama = MODELS["Llama 3 70B"].n_params
    assert scale.memory_bytes(llama, "bf16") / 1e9 == pytest.approx(141.2)
    assert scale.memory_bytes(llama, "int4") / 1e9 == pytest.approx(35.3)
    assert scale.memory_bytes(7e9, "bf16", training=True) / 1e9 == 112
    assert scale.memory_bytes(llama, "bf16", training=True) / 1e9 == pytest.approx(1130, abs=1)
    # "more than a dozen 80 GB GPUs", whether a GPU's 80 GB are 80e9 bytes or 80 GiB
    training = scale.memory_bytes(llama, "bf16", training=True)
    assert training / 80e9 > 13 and training / (80 * 2**30) > 13


def test_compute_numbers_in_the_prose():
    assert scale.training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert scale.training_flops(405e9, 15.6e12) == pytest.approx(3.79e25, rel=1e-3)
    assert scale.inference_flops_per_token(175e9) == pytest.approx(3.5e11)
    a100 = training_estimate(175e9, 300e9, 312e12, n_devices=1024, utilisation=0.4)
    assert round(a100["seconds"] / 1e6, 2) == 2.46
    assert describe_duration(a100["seconds"]) == "28.5 days"


def test_compute_optimal_numbers_in_the_prose():
    n_opt = (scale.training_flops(175e9, 300e9) / 120) ** 0.5
    assert n_opt == pytest.approx(51.2e9, rel=1e-3)
    assert scale.compute_optimal_tokens(n_opt) == pytest.approx(1.02e12, rel=1e-2)
    assert scale.training_flops(70e9, 1.4e12) == pytest.approx(5.88e23)
    assert 15e12 / MODELS["Llama 3 8B"].n_params == pytest.approx(1900, rel=0.03)


def test_page_form_alt_text_gpt4_label_and_exercise_link():
    nb = jupytext.read(PAGE)
    source = PAGE.read_text(encoding="utf-8")
    plotting = [c for c in nb.cells if c.cell_type == "code" and "plt.show()" in c.source]
    assert len(plotting) == 2
    for cell in plotting:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) > 80, cell.source[:60]
    assert "unconfirmed outside estimate" in source
    assert "training_time_widget()" in source
    assert "## Summary" in source
    assert "[Exercises for this chapter](../exercises/ch05_scale/ch05_scale.ipynb)" in source
    assert (REPO / "exercises" / "ch05_scale" / "ch05_scale.ipynb").exists()
