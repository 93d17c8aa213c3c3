"""Tests of nnlib.scale: parameter, memory and compute arithmetic against hand counts and
published model sizes."""

import pytest

from nnlib import scale


def test_mlp_parameters_of_the_spam_network_is_26():
    assert scale.mlp_parameters([3, 4, 2]) == 26  # 3*4 + 4 + 4*2 + 2
    assert scale.mlp_parameters((2, 1)) == 3
    assert scale.mlp_parameters([784, 256, 128, 10]) == 784 * 256 + 256 + 256 * 128 + 128 + 1290


def test_mlp_parameters_refuses_bad_layer_sizes():
    with pytest.raises(ValueError, match="at least 2 layer sizes"):
        scale.mlp_parameters([3])
    with pytest.raises(ValueError, match=">= 1"):
        scale.mlp_parameters([3, 0, 2])
    with pytest.raises(TypeError, match="whole number"):
        scale.mlp_parameters([3, 2.5])
    with pytest.raises(TypeError, match="list of layer sizes"):
        scale.mlp_parameters("342")


def test_one_gpt_layer_adds_twelve_d_squared_plus_its_biases_and_norms():
    d = 64
    one = scale.transformer_parameters(1, d, 100)
    two = scale.transformer_parameters(2, d, 100)
    # 4 d^2 attention + 8 d^2 MLP; biases 4d (attention) + 5d (MLP); two LayerNorms 4d
    assert two - one == 12 * d * d + 13 * d


def test_transformer_parameters_counts_embeddings_once_when_tied():
    d, V = 32, 1000
    tied = scale.transformer_parameters(1, d, V)
    untied = scale.transformer_parameters(1, d, V, tied_embeddings=False)
    assert untied - tied == V * d
    with_positions = scale.transformer_parameters(1, d, V, n_positions=128)
    assert with_positions - tied == 128 * d


def test_gated_mlp_grouped_query_attention_and_no_biases_as_in_llama():
    d, ff = 64, 96
    plain = scale.transformer_parameters(1, d, 10, d_ff=ff, biases=False)
    gated = scale.transformer_parameters(1, d, 10, d_ff=ff, biases=False, gated_mlp=True)
    assert gated - plain == d * ff  # a third matrix
    gqa = scale.transformer_parameters(1, d, 10, d_ff=ff, biases=False, n_heads=8, n_kv_heads=2)
    # keys and values shrink from d x d to d x (2 heads * 8 per head)
    assert plain - gqa == 2 * d * (d - 16)
    with_biases = scale.transformer_parameters(1, d, 10, d_ff=ff)
    # biases: 4d attention + ff + d MLP; LayerNorm shift: 3 norms of d
    assert with_biases - plain == 4 * d + ff + d + 3 * d


def test_bert_and_gpt2_counts_match_the_released_weights_exactly():
    bert = next(m for m in scale.PUBLISHED_MODELS if m.name == "BERT-base")
    gpt2 = next(m for m in scale.PUBLISHED_MODELS if m.name == "GPT-2 small")
    assert bert.estimate() == 109_482_240  # bert-base-uncased BertModel, with pooler
    assert gpt2.estimate() == 124_439_808  # gpt2 GPT2Model
    llama8 = next(m for m in scale.PUBLISHED_MODELS if m.name == "Llama 3 8B")
    assert llama8.estimate() == 8_030_261_248  # Meta-Llama-3-8B safetensors


@pytest.mark.parametrize("model", scale.PUBLISHED_MODELS, ids=lambda m: m.name)
def test_transformer_parameters_within_3_percent_of_each_published_count(model):
    estimate = model.estimate()
    assert abs(estimate - model.n_params) / model.n_params < 0.03, (
        f"{model.name}: estimate {estimate:,} vs published {model.n_params:,.0f}"
    )


def test_published_models_table_is_complete_and_sourced():
    names = [m.name for m in scale.PUBLISHED_MODELS]
    assert names == ["BERT-base", "GPT-2 small", "GPT-3 175B", "Llama 3 8B", "Llama 3 70B",
                     "Llama 3.1 405B"]
    for m in scale.PUBLISHED_MODELS:
        assert m.url.startswith("https://") and len(m.source) > 20
        assert m.d_model % m.n_heads == 0 and m.n_heads % m.n_kv_heads == 0
    gpt3 = scale.PUBLISHED_MODELS[2]
    assert (gpt3.n_layers, gpt3.d_model, gpt3.vocab_size, gpt3.n_params) == (
        96, 12288, 50257, 175e9)


def test_transformer_parameters_refuses_bad_input():
    with pytest.raises(ValueError, match="n_layers >= 1"):
        scale.transformer_parameters(0, 64, 100)
    with pytest.raises(TypeError, match="d_model to be a whole number"):
        scale.transformer_parameters(2, 64.5, 100)
    with pytest.raises(ValueError, match="needs n_heads"):
        scale.transformer_parameters(2, 64, 100, n_kv_heads=2)
    with pytest.raises(ValueError, match="divide"):
        scale.transformer_parameters(2, 64, 100, n_heads=6, n_kv_heads=2)


def test_memory_of_a_7b_model_in_fp16_is_14_gb():
    assert scale.memory_bytes(7e9, "fp16") == pytest.approx(14e9)
    assert scale.memory_bytes(7e9, "float32") == pytest.approx(28e9)
    assert scale.memory_bytes(7e9, "int8") == pytest.approx(7e9)
    assert scale.memory_bytes(7e9, "int4") == pytest.approx(3.5e9)
    assert scale.memory_bytes(7e9, "BF16") == pytest.approx(14e9)


@pytest.mark.parametrize("dtype", ["fp32", "fp16", "bf16"])
def test_training_with_adam_needs_16_bytes_per_parameter(dtype):
    assert scale.memory_bytes(1e9, dtype, training=True) == pytest.approx(16e9)


def test_memory_breakdown_names_each_part():
    fp32 = scale.memory_breakdown(1, "fp32", training=True)
    assert fp32 == {"weights": 4, "gradients": 4, "master_weights": 0.0, "adam_moments": 8}
    fp16 = scale.memory_breakdown(1, "fp16", training=True)
    assert fp16 == {"weights": 2, "gradients": 2, "master_weights": 4, "adam_moments": 8}
    assert scale.memory_breakdown(10, "int8") == {"weights": 10}


def test_memory_refuses_unknown_dtype_int_training_and_bad_counts():
    with pytest.raises(ValueError, match="fp32, float32, fp16"):
        scale.memory_bytes(1e9, "fp64")
    with pytest.raises(ValueError, match="int8 and int4"):
        scale.memory_bytes(1e9, "int8", training=True)
    with pytest.raises(ValueError, match="> 0"):
        scale.memory_bytes(-5, "fp16")
    with pytest.raises(TypeError, match="positive number"):
        scale.memory_bytes("7B", "fp16")


def test_training_flops_of_gpt3_is_about_3_15e23():
    assert scale.training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert scale.training_flops(10, 3) == 180.0


def test_inference_costs_two_flops_per_parameter_per_token():
    assert scale.inference_flops_per_token(7e9) == pytest.approx(1.4e10)


def test_flops_refuse_non_positive_or_infinite_amounts():
    with pytest.raises(ValueError, match="n_tokens"):
        scale.training_flops(1e9, 0)
    with pytest.raises(ValueError, match="n_params"):
        scale.inference_flops_per_token(float("inf"))
    with pytest.raises(ValueError, match="n_params"):
        scale.inference_flops_per_token(float("nan"))


def test_compute_optimal_tokens_is_twenty_per_parameter():
    assert scale.compute_optimal_tokens(70e9) == pytest.approx(1.4e12)
    assert scale.compute_optimal_tokens(1e6, tokens_per_param=5) == pytest.approx(5e6)
    with pytest.raises(ValueError, match="n_params"):
        scale.compute_optimal_tokens(0)


def test_training_seconds_divides_6ND_by_the_effective_speed():
    # 6 * 1e9 * 1e10 = 6e19 operations at 1e15 op/s, half of the time busy: 1.2e5 s
    assert scale.training_seconds(1e9, 1e10, 1e15, utilization=0.5) == pytest.approx(1.2e5)
    assert scale.training_seconds(10, 10, 600) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"utilization in \(0, 1\]"):
        scale.training_seconds(1e9, 1e10, 1e15, utilization=1.5)
    with pytest.raises(ValueError, match="flops_per_second"):
        scale.training_seconds(1e9, 1e10, 0)
