"""Chapter 5: the numbers the reading page states in prose are what nnlib computes.

The page computes its tables in code, but many results are also written into the text (the
parameter counts of the 3-4-2 and 784-256-128-10 networks and of GPT-2 and GPT-3 by the rule of
thumb, memory of a 7B model, 6ND for GPT-3 and Llama 3.1, the A100 training time, the
compute-optimal split of GPT-3's budget, the Llama layout figures). These tests read those numbers
from the page (tests/chapter_text.py) and recompute them with nnlib.scale and the model table it
publishes, so a wrong number on the page, or a change of nnlib that would make the prose wrong,
fails here. They also check the page's form: every plot has alt text, the GPT-4 figure is labelled
unconfirmed, and the page ends with a summary linking to its exercises.
"""

from pathlib import Path

import jupytext
from chapter_text import Page, agrees

from nnlib import scale
from nnlib.network import mlp
from nnlib.widgets.scale import describe_duration, training_estimate

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "05_scale.md"
CHAPTER = Page("05_scale")
MODELS = {m.name: m for m in scale.PUBLISHED_MODELS}
BILLION = 1e9


def assert_quoted(quoted, computed, what: str, scale: float = 1.0) -> None:
    shown = f"{quoted.text} x {scale:g}" if scale != 1 else quoted.text
    assert agrees(quoted, computed, scale), (
        f"book/05_scale.md says {shown} for {what}; nnlib computes {float(computed):.10g}")


def rule_of_thumb(n_layers, d, vocab):
    """The page's own formula P = 12 d^2 L + V d, its factor read from the page.

    nnlib.scale counts matrix by matrix (transformer_parameters); this is the shortcut the page
    teaches, and the tests check the numbers the page derives with it.
    """
    per_layer = CHAPTER.number("P \\approx @\\, d^2 L + V d")
    return per_layer * d**2 * n_layers + vocab * d


def test_mlp_counts_in_the_prose():
    first, second, total = CHAPTER.numbers(
        "For the 3-4-2 network: $(3 \\cdot 4 + 4) + (4 \\cdot 2 + 2) = @ + @ = @$")
    assert (first, second) == (3 * 4 + 4, 4 * 2 + 2)
    assert_quoted(total, scale.mlp_parameters([3, 4, 2]), "the parameters of 3-4-2")
    *layers, total = CHAPTER.numbers("(128 \\cdot 10 + 10) = @ + @ + @ = @$")
    sizes = [784, 256, 128, 10]
    assert layers == [a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    assert_quoted(total, scale.mlp_parameters(sizes), "the parameters of 784-256-128-10")
    assert mlp(sizes).n_params == total, "nnlib.network.mlp counts differently"
    first, total_again, share = CHAPTER.numbers(
        "in the 784-256-128-10 network, @ of the @ (@%) are in the first layer")
    assert (first, total_again) == (layers[0], total)
    assert_quoted(share, 100 * first / total, "the first layer's share")
    assert_quoted(CHAPTER.number("A small network can, but what it learned is @ numbers"),
                  scale.mlp_parameters([2, 64, 64, 2]), "the parameters of 2-64-64-2")
    assert any("mlp([2, 64, 64, 2]" in cell for cell in CHAPTER.code_cells)


def test_transformer_rule_of_thumb_numbers_in_the_prose():
    gpt2 = MODELS["GPT-2 small"]
    L, d, V = CHAPTER.numbers("GPT-2 small has $L = @$ layers of width $d = @$ and $V = @$ tokens")
    assert (L, d, V) == (gpt2.n_layers, gpt2.d_model, gpt2.vocab_size)
    layers, embeddings, total, millions = CHAPTER.numbers(
        "$12 \\cdot 768^2 \\cdot 12 = @$ in the layers plus $50{,}257 \\cdot 768 = @$ in the "
        "embeddings, $@ \\approx @$ million")
    assert (layers, embeddings) == (12 * d**2 * L, V * d)
    assert_quoted(total, rule_of_thumb(L, d, V), "GPT-2 small by the rule of thumb")
    assert_quoted(millions, total, "GPT-2 small in millions", scale=1e6)
    assert_quoted(CHAPTER.number("OpenAI's released model has @ million"), gpt2.n_params,
                  "GPT-2 small's published size", scale=1e6)
    gpt3 = MODELS["GPT-3 175B"]
    L, d = CHAPTER.numbers("GPT-3 has $L = @$, $d = @$")
    assert (L, d, V) == (gpt3.n_layers, gpt3.d_model, gpt3.vocab_size)
    layers, embeddings, total, published = CHAPTER.numbers(
        "\\cdot 96 \\approx @$ billion plus $@$ billion of embeddings, $@$ billion. Published: @ "
        "billion")
    assert_quoted(layers, 12 * d**2 * L, "GPT-3's layers", scale=BILLION)
    assert_quoted(embeddings, V * d, "GPT-3's embeddings", scale=BILLION)
    assert_quoted(total, rule_of_thumb(L, d, V), "GPT-3 by the rule of thumb", scale=BILLION)
    assert_quoted(published, gpt3.n_params, "GPT-3's published size", scale=BILLION)
    within, low = CHAPTER.numbers("The simple formula is within @% for BERT and the GPTs (and, by "
                                  "a coincidence of its shape, for Llama 3.1 405B), and is @% low "
                                  "for Llama 3 70B")
    for name in ("BERT-base", "GPT-2 small", "GPT-3 175B", "Llama 3.1 405B"):
        m = MODELS[name]
        simple = rule_of_thumb(m.n_layers, m.d_model, m.vocab_size)
        assert abs(simple / m.n_params - 1) < within / 100, f"{name} is not within {within}%"
    llama = MODELS["Llama 3 70B"]
    simple = rule_of_thumb(llama.n_layers, llama.d_model, llama.vocab_size)
    assert_quoted(low, 100 * (1 - simple / llama.n_params), "how low the formula is for Llama")
    d_ff, ratio, mlp_d2, heads, kv, _, attention = CHAPTER.numbers(
        "a hidden width of $@ = @d$ rather than $4d$, so $@ d^2$ instead of $8 d^2$; its @ query "
        "heads share @ sets of keys and values, one set per group of @ (\"grouped-query "
        "attention\"), so attention has about $@ d^2$")
    assert (d_ff, heads, kv) == (llama.d_ff, llama.n_heads, llama.n_kv_heads)
    assert_quoted(ratio, llama.d_ff / llama.d_model, "Llama's MLP width in d")
    assert_quoted(mlp_d2, 3 * llama.d_ff / llama.d_model, "Llama's MLP in d^2")
    d_kv = llama.n_kv_heads * llama.d_model // llama.n_heads
    assert_quoted(attention, (2 * llama.d_model**2 + 2 * llama.d_model * d_kv) / llama.d_model**2,
                  "Llama's attention in d^2")


def test_full_count_lands_within_half_a_percent_of_every_published_size():
    assert CHAPTER.says("The full count lands within half a percent of every published size")
    for name in ("BERT-base", "GPT-2 small", "GPT-3 175B", "Llama 3 70B", "Llama 3.1 405B"):
        m = MODELS[name]
        assert abs(m.estimate() / m.n_params - 1) < 0.005, name


def test_memory_numbers_in_the_prose():
    gb, gib = CHAPTER.numbers("shows the same @ GB as $1.4 \\cdot 10^{10} / 2^{30} \\approx @$ "
                              "GiB")
    assert_quoted(gb, scale.memory_bytes(7e9, "fp16"), "a 7B model in fp16 (GB)", scale=1e9)
    assert_quoted(gib, scale.memory_bytes(7e9, "fp16"), "a 7B model in fp16 (GiB)", scale=2**30)
    llama = MODELS["Llama 3 70B"].n_params
    bf16, gpu, int4 = CHAPTER.numbers("Running Llama 3 70B in bf16 needs @ GB for the weights: "
                                      "more than one @ GB GPU holds. In int4 it needs @ GB")
    assert_quoted(bf16, scale.memory_bytes(llama, "bf16"), "Llama 3 70B in bf16", scale=1e9)
    assert bf16 > gpu
    assert_quoted(int4, scale.memory_bytes(llama, "int4"), "Llama 3 70B in int4", scale=1e9)
    per_param = CHAPTER.number("the sum is about **@ bytes per parameter**")
    assert scale.memory_bytes(1, "bf16", training=True) == per_param
    runs, train7, train70, gpu = CHAPTER.numbers(
        "So a 7B model that *runs* in @ GB needs $16 \\cdot 7 \\cdot 10^9 = @$ GB to *train*, and "
        "Llama 3 70B needs @ GB, more than a dozen @ GB GPUs")
    assert runs == gb
    assert_quoted(train7, scale.memory_bytes(7e9, "bf16", training=True), "training 7B",
                  scale=1e9)
    training = scale.memory_bytes(llama, "bf16", training=True)
    assert_quoted(train70, training, "training Llama 3 70B", scale=1e9)
    # "more than a dozen 80 GB GPUs", whether a GPU's 80 GB are 80e9 bytes or 80 GiB
    assert training / (gpu * 1e9) > 13 and training / (gpu * 2**30) > 13


def test_compute_numbers_in_the_prose():
    n, d, flops, exponent = CHAPTER.numbers(
        "GPT-3 was trained on 300 billion tokens: $6 \\cdot @ \\cdot 10^9 \\cdot @ \\cdot "
        "10^9 = @ \\cdot 10^{@}$ FLOPs")
    gpt3_flops = scale.training_flops(n * 1e9, d * 1e9)
    assert_quoted(flops, gpt3_flops, "GPT-3's training FLOPs", scale=10**exponent)
    n, d, flops, exponent = CHAPTER.numbers(
        "$6 \\cdot @ \\cdot 10^9 \\cdot @ \\cdot 10^{12} \\approx @ \\cdot 10^{@}$, and its "
        "authors report")
    assert_quoted(flops, scale.training_flops(n * 1e9, d * 1e12), "Llama 3.1 405B's FLOPs",
                  scale=10**exponent)
    per_token, exponent = CHAPTER.numbers(
        "about $2N$ FLOPs per token, $@ \\cdot 10^{@}$ for GPT-3")
    assert_quoted(per_token, scale.inference_flops_per_token(175e9), "GPT-3's FLOPs per token",
                  scale=10**exponent)
    budget, b_exp, peak, p_exp, devices, use, seconds, s_exp, days = CHAPTER.numbers(
        "= @ \\cdot 10^{@} / (@ \\cdot 10^{@} \\cdot @ \\cdot @) \\approx @ \\cdot 10^@$ "
        "seconds, @ days")
    assert_quoted(budget, gpt3_flops, "GPT-3's budget", scale=10**b_exp)
    a100 = training_estimate(175e9, 300e9, peak * 10**p_exp, n_devices=int(devices),
                             utilisation=use)
    assert_quoted(seconds, a100["seconds"], "GPT-3 on A100s (seconds)", scale=10**s_exp)
    assert describe_duration(a100["seconds"]) == f"{days.text} days"


def test_compute_optimal_numbers_in_the_prose():
    tokens_per_param = CHAPTER.number("at roughly **@ training tokens per parameter**")
    assert scale.compute_optimal_tokens(1.0) == tokens_per_param
    budget, exponent, inner, inner_exp, n_opt, d_opt = CHAPTER.numbers(
        "For GPT-3's budget of $@ \\cdot 10^{@}$ FLOPs that is $\\sqrt{@ \\cdot 10^{@}} "
        "\\approx @$ billion parameters on about @ trillion tokens")
    c = scale.training_flops(175e9, 300e9)
    assert_quoted(budget, c, "GPT-3's budget", scale=10**exponent)
    assert_quoted(inner, c / (6 * tokens_per_param), "C / 120", scale=10**inner_exp)
    best = (c / (6 * tokens_per_param)) ** 0.5
    assert_quoted(n_opt, best, "the compute-optimal size", scale=BILLION)
    assert_quoted(d_opt, scale.compute_optimal_tokens(best), "its tokens", scale=1e12)
    n, d = CHAPTER.numbers("Chinchilla itself had @ billion parameters trained on @ trillion "
                           "tokens")
    assert scale.compute_optimal_tokens(n * 1e9) == d * 1e12
    ratio = CHAPTER.number("Llama 3 8B was trained on about @ tokens per parameter")
    assert abs(15e12 / MODELS["Llama 3 8B"].n_params / ratio - 1) < 0.03


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
    assert "[Exercises for this chapter](exercises.md)" in source
    assert "`exercises/ch05_scale/`" in source
    assert (REPO / "exercises" / "ch05_scale" / "ch05_scale.ipynb").exists()
