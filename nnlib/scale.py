"""Back-of-the-envelope arithmetic for large models: parameters, memory and compute.

================================================  ============================================
function                                          answers
================================================  ============================================
mlp_parameters([3, 4, 2])                         how many weights and biases an MLP has (26)
transformer_parameters(n_layers, d_model, ...)    how many parameters a transformer has
memory_bytes(n_params, "fp16")                    how much memory the weights (or training) need
training_flops(n_params, n_tokens)                how many operations training costs (6 N D)
inference_flops_per_token(n_params)               how many operations one generated token costs
compute_optimal_tokens(n_params)                  tokens to train on, about 20 per parameter
training_seconds(n_params, n_tokens, flops/s)     how long training takes on given hardware
PUBLISHED_MODELS                                  six real models with their published sizes
================================================  ============================================

Memory is in bytes; 1 GB here is 10**9 bytes (as drive and GPU makers count).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BYTES_PER_PARAM",
    "PublishedModel",
    "PUBLISHED_MODELS",
    "mlp_parameters",
    "transformer_parameters",
    "memory_breakdown",
    "memory_bytes",
    "training_flops",
    "inference_flops_per_token",
    "compute_optimal_tokens",
    "training_seconds",
]


def _check_count(value: int, name: str, who: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who} expected {name} to be a whole number, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{who} expected {name} >= {minimum}, got {value}.")
    return int(value)


def _check_amount(value: float, name: str, who: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who} expected {name} to be a positive number, got {value!r}.")
    value = float(value)
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{who} expected {name} to be a finite number > 0, got {value!r}.")
    return value


# --- parameter counts -----------------------------------------------------------------------

def mlp_parameters(layer_sizes: list[int] | tuple[int, ...]) -> int:
    """Number of weights and biases of a fully connected network with these layer sizes.

    A dense layer from ``a`` units to ``b`` units has an (a, b) weight matrix and b biases:
    ``a * b + b`` parameters. For [3, 4, 2]: (3*4 + 4) + (4*2 + 2) = 16 + 10 = 26.

    Parameters
    ----------
    layer_sizes : units per layer, input first, at least two layers.

    Returns
    -------
    int, the total number of parameters.
    """
    if isinstance(layer_sizes, str) or not isinstance(layer_sizes, list | tuple):
        raise TypeError(f"mlp_parameters expected a list of layer sizes such as [3, 4, 2], "
                        f"got {layer_sizes!r}.")
    if len(layer_sizes) < 2:
        raise ValueError(f"mlp_parameters expected at least 2 layer sizes (input and output), "
                         f"got {list(layer_sizes)}.")
    sizes = [_check_count(s, "every layer size", "mlp_parameters") for s in layer_sizes]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def transformer_parameters(
    n_layers: int,
    d_model: int,
    vocab_size: int,
    d_ff: int | None = None,
    n_positions: int = 0,
    tied_embeddings: bool = True,
    biases: bool = True,
    gated_mlp: bool = False,
    n_kv_heads: int | None = None,
    n_heads: int | None = None,
    n_token_types: int = 0,
    pooler: bool = False,
) -> int:
    """Number of parameters of a transformer language model, counted matrix by matrix.

    With the defaults (the GPT-2 / GPT-3 layout) each layer has about 12 * d_model**2
    parameters: 4 d^2 in attention (query, key, value and output matrices) and 8 d^2 in the
    MLP (d -> 4d -> d). What is counted:

    * token embeddings, ``vocab_size * d_model``; learned position embeddings,
      ``n_positions * d_model`` (0 for rotary positions, as in Llama); token-type embeddings,
      ``n_token_types * d_model`` (BERT has 2: sentence A and sentence B);
    * per layer, attention: query and output ``d_model * d_model`` each; key and value
      ``d_model * d_kv`` each, where ``d_kv = n_kv_heads * d_model / n_heads`` with
      grouped-query attention (``n_kv_heads`` < ``n_heads``, as in Llama 3) and
      ``d_kv = d_model`` otherwise;
    * per layer, MLP: two matrices ``d_model * d_ff``, or three with ``gated_mlp=True``
      (SwiGLU: gate, up and down projections, as in Llama);
    * with ``biases=True``, a bias vector after every matrix of the layers;
    * normalisation: two per layer plus one more (GPT-2's final LayerNorm, Llama's final
      RMSNorm, BERT's LayerNorm after the embeddings), each with ``2 * d_model`` parameters
      (LayerNorm: scale and shift) when ``biases=True``, else ``d_model`` (RMSNorm: scale);
    * the output layer that turns the last hidden state into ``vocab_size`` logits: free
      with ``tied_embeddings=True`` (it reuses the token embedding matrix, as GPT-2 and BERT
      do), another ``vocab_size * d_model`` otherwise (Llama 3);
    * with ``pooler=True``, BERT's pooler, one dense layer ``d_model * d_model + d_model``.

    Not counted: BERT's masked-language-model head used only in pre-training.

    Parameters
    ----------
    n_layers, d_model, vocab_size : depth, width and vocabulary size.
    d_ff : hidden width of the MLP (default ``4 * d_model``).
    n_positions : learned position embeddings (0 for none).
    tied_embeddings, biases, gated_mlp, n_token_types, pooler : see above.
    n_kv_heads, n_heads : heads for keys/values and for queries; give both for grouped-query
        attention (``n_heads`` must divide ``d_model``, ``n_kv_heads`` must divide ``n_heads``).

    Returns
    -------
    int, the number of parameters.
    """
    who = "transformer_parameters"
    L = _check_count(n_layers, "n_layers", who)
    d = _check_count(d_model, "d_model", who)
    V = _check_count(vocab_size, "vocab_size", who)
    ff = 4 * d if d_ff is None else _check_count(d_ff, "d_ff", who)
    n_positions = _check_count(n_positions, "n_positions", who, minimum=0)
    n_token_types = _check_count(n_token_types, "n_token_types", who, minimum=0)

    if n_kv_heads is None:
        d_kv = d
    else:
        if n_heads is None:
            raise ValueError(f"{who}: n_kv_heads={n_kv_heads} needs n_heads too (the number of "
                             "query heads), to know the width of one head.")
        heads = _check_count(n_heads, "n_heads", who)
        kv_heads = _check_count(n_kv_heads, "n_kv_heads", who)
        if d % heads or heads % kv_heads:
            raise ValueError(f"{who} expected n_heads to divide d_model and n_kv_heads to "
                             f"divide n_heads, got d_model={d}, n_heads={heads}, "
                             f"n_kv_heads={kv_heads}.")
        d_kv = kv_heads * (d // heads)

    attention = 2 * d * d + 2 * d * d_kv + (2 * d + 2 * d_kv if biases else 0)
    if gated_mlp:
        mlp = 3 * d * ff + (2 * ff + d if biases else 0)
    else:
        mlp = 2 * d * ff + (ff + d if biases else 0)
    norm = 2 * d if biases else d
    layer = attention + mlp + 2 * norm

    embeddings = (V + n_positions + n_token_types) * d
    output = 0 if tied_embeddings else V * d
    extra = d * d + d if pooler else 0
    return L * layer + norm + embeddings + output + extra


# --- published models -----------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedModel:
    """One published model: its shape, its published parameter count and where it is stated.

    ``architecture`` holds the extra keyword arguments of :func:`transformer_parameters`
    that describe this model (positions, biases, gated MLP, ...); ``estimate()`` applies them.
    """

    name: str
    n_layers: int
    d_model: int
    vocab_size: int
    n_heads: int
    n_kv_heads: int
    d_ff: int
    n_params: float
    source: str
    url: str
    architecture: tuple[tuple[str, object], ...] = ()
    note: str = ""

    def estimate(self) -> int:
        """Parameter count from :func:`transformer_parameters` for this model's shape."""
        return transformer_parameters(
            self.n_layers, self.d_model, self.vocab_size, d_ff=self.d_ff,
            n_heads=self.n_heads, n_kv_heads=self.n_kv_heads, **dict(self.architecture),
        )


_LLAMA3_PAPER = "Llama Team, AI @ Meta (2024): The Llama 3 Herd of Models, Table 3"
_LLAMA3_URL = "https://arxiv.org/abs/2407.21783"
_LLAMA = (("tied_embeddings", False), ("biases", False), ("gated_mlp", True))
_LLAMA_NOTE = ("SwiGLU MLP, grouped-query attention, RMSNorm, rotary positions, untied output "
               "layer; vocabulary 128,000 (the paper's Table 3) + 256 reserved special tokens of "
               "the released tokenizer = 128,256.")

PUBLISHED_MODELS: tuple[PublishedModel, ...] = (
    PublishedModel(
        "BERT-base", 12, 768, 30522, 12, 12, 3072, 110e6,
        "Devlin et al. (2018): BERT: Pre-training of Deep Bidirectional Transformers for "
        "Language Understanding, section 3",
        "https://arxiv.org/abs/1810.04805",
        (("n_positions", 512), ("n_token_types", 2), ("pooler", True)),
        "Encoder only; 512 learned positions, 2 token types and a pooler are counted; the "
        "masked-language-model head is not. Vocabulary of the released uncased model.",
    ),
    PublishedModel(
        "GPT-2 small", 12, 768, 50257, 12, 12, 3072, 124e6,
        "Radford et al. (2019): Language Models are Unsupervised Multitask Learners; size as "
        "stated on the model card 'openai-community/gpt2'",
        "https://huggingface.co/openai-community/gpt2",
        (("n_positions", 1024),),
        "The paper's table says 117M; the released weights hold 124M.",
    ),
    PublishedModel(
        "GPT-3 175B", 96, 12288, 50257, 96, 96, 4 * 12288, 175e9,
        "Brown et al. (2020): Language Models are Few-Shot Learners, Table 2.1",
        "https://arxiv.org/abs/2005.14165",
        (("n_positions", 2048),),
        "Same layout as GPT-2 (2048 learned positions, tied embeddings); some layers use "
        "sparse attention patterns, which do not change the parameter count.",
    ),
    PublishedModel(
        "Llama 3 8B", 32, 4096, 128256, 32, 8, 14336, 8.03e9,
        _LLAMA3_PAPER + " (layout; the paper calls the model 8B, and its released weights "
        "hold 8.03B)", _LLAMA3_URL, _LLAMA, _LLAMA_NOTE,
    ),
    PublishedModel(
        "Llama 3 70B", 80, 8192, 128256, 64, 8, 28672, 70.6e9,
        _LLAMA3_PAPER + " (layout; the paper calls the model 70B, and its released weights "
        "hold 70.6B)", _LLAMA3_URL, _LLAMA, _LLAMA_NOTE,
    ),
    PublishedModel(
        "Llama 3.1 405B", 126, 16384, 128256, 128, 8, 53248, 405e9,
        _LLAMA3_PAPER + " (layout) and section 1 (405B parameters)", _LLAMA3_URL, _LLAMA,
        _LLAMA_NOTE,
    ),
)
"""Six published models in order of publication (2018 to 2024); ``n_params`` is the count
stated by the source: the authors' figure, or the count of the released weights where that is
more precise than the model's name (GPT-2 small, Llama 3 8B and 70B; each source says so)."""


# --- memory ---------------------------------------------------------------------------------

BYTES_PER_PARAM: Mapping[str, float] = MappingProxyType({
    "fp32": 4, "float32": 4,
    "fp16": 2, "float16": 2,
    "bf16": 2, "bfloat16": 2,
    "int8": 1,
    "int4": 0.5,
})
"""Bytes to store one number in each format (int4 packs two numbers per byte); read-only."""


def memory_breakdown(n_params: float, dtype: str = "fp32",
                     training: bool = False) -> dict[str, float]:
    """Bytes needed for a model's parameters (and, when training with Adam, the rest), by part.

    For inference only the weights are stored: ``n_params * BYTES_PER_PARAM[dtype]``.

    Training with Adam keeps, for every parameter, its weight and its gradient in ``dtype``
    plus Adam's two running averages (first and second moments) in fp32, 4 + 4 bytes. When
    the weights are 16-bit (mixed-precision training), an fp32 master copy of the weights is
    kept as well, because tiny updates vanish when added to 16-bit numbers. Either way it comes
    to 16 bytes per parameter:

    * fp32:       4 (weights) + 4 (gradients) + 8 (Adam moments)                   = 16
    * fp16/bf16:  2 (weights) + 2 (gradients) + 4 (fp32 master weights) + 8 (Adam) = 16

    The activations kept for the backward pass come on top; they depend on the batch and
    sequence length and are not included.

    Parameters
    ----------
    n_params : number of parameters (> 0).
    dtype : "fp32"/"float32", "fp16"/"float16", "bf16"/"bfloat16", "int8" or "int4".
    training : include gradients and Adam's state (only fp32, fp16, bf16 can be trained).

    Returns
    -------
    dict mapping each part ("weights", and when training "gradients", "master_weights",
    "adam_moments") to bytes.
    """
    who = "memory_bytes"
    n = _check_amount(n_params, "n_params", who)
    if not isinstance(dtype, str) or dtype.strip().lower() not in BYTES_PER_PARAM:
        raise ValueError(f"{who}: unknown dtype {dtype!r}; expected one of "
                         f"{', '.join(BYTES_PER_PARAM)}.")
    size = BYTES_PER_PARAM[dtype.strip().lower()]
    parts = {"weights": n * size}
    if training:
        if size < 2:
            raise ValueError(f"{who}: training with Adam needs fp32, fp16 or bf16 weights, got "
                             f"{dtype!r} (int8 and int4 are for running a trained model).")
        parts["gradients"] = n * size
        parts["master_weights"] = n * 4 if size < 4 else 0.0
        parts["adam_moments"] = n * 8
    return parts


def memory_bytes(n_params: float, dtype: str = "fp32", training: bool = False) -> float:
    """Bytes needed to hold a model: its weights, or with ``training=True`` everything Adam needs.

    A 7B-parameter model in fp16 needs 7e9 * 2 = 1.4e10 bytes = 14 GB for its weights;
    training it with Adam needs about 16 bytes per parameter, 112 GB. See
    :func:`memory_breakdown` for the parts.

    Returns
    -------
    float, bytes.
    """
    return float(sum(memory_breakdown(n_params, dtype, training).values()))


# --- compute --------------------------------------------------------------------------------

def training_flops(n_params: float, n_tokens: float) -> float:
    """Floating-point operations to train a model of N parameters on D tokens: about 6 N D.

    Per token and parameter the forward pass costs 2 operations (a multiply and an add) and
    the backward pass about twice that. GPT-3: 6 * 175e9 * 300e9 = 3.15e23.

    Returns
    -------
    float, operations.
    """
    n = _check_amount(n_params, "n_params", "training_flops")
    d = _check_amount(n_tokens, "n_tokens", "training_flops")
    return 6.0 * n * d


def inference_flops_per_token(n_params: float) -> float:
    """Floating-point operations to generate one token with N parameters: about 2 N.

    Every weight takes part in one multiply and one add per token (attention over a long
    context adds a little, not counted here).

    Returns
    -------
    float, operations.
    """
    return 2.0 * _check_amount(n_params, "n_params", "inference_flops_per_token")


def compute_optimal_tokens(n_params: float, tokens_per_param: float = 20.0) -> float:
    """Training tokens for a compute-optimal model of N parameters: about 20 N.

    The rule of thumb comes from Hoffmann et al. (2022), "Training Compute-Optimal Large
    Language Models" (https://arxiv.org/abs/2203.15556): for a fixed compute budget, loss is
    lowest when parameters and training tokens grow together, at roughly 20 tokens per
    parameter. A 70B model: 1.4e12 tokens. (Llama 3 8B saw 15e12 tokens, far more: models
    that will be run a lot are deliberately trained past this point.)

    Returns
    -------
    float, tokens.
    """
    n = _check_amount(n_params, "n_params", "compute_optimal_tokens")
    return n * _check_amount(tokens_per_param, "tokens_per_param", "compute_optimal_tokens")


def training_seconds(n_params: float, n_tokens: float, flops_per_second: float,
                     utilization: float = 1.0) -> float:
    """Seconds to train N parameters on D tokens with hardware doing ``flops_per_second``.

    time = 6 N D / (flops_per_second * utilization). Real training keeps the hardware busy
    only part of the time: ``utilization`` (in (0, 1]) is that share, often 0.3 to 0.5 for
    large runs. Divide by 86400 for days.

    Returns
    -------
    float, seconds.
    """
    who = "training_seconds"
    speed = _check_amount(flops_per_second, "flops_per_second", who)
    share = _check_amount(utilization, "utilization", who)
    if share > 1:
        raise ValueError(f"{who} expected utilization in (0, 1], got {share}.")
    return training_flops(n_params, n_tokens) / (speed * share)
