"""nnlib: the small numpy neural-network library of the course book.

nnlib has two parts. The **core** is the maths a learner reads next to the chapters: each
module is short, vectorised with numpy, and keeps each forward computation next to its
backward one. The **book support** draws, generates data and checks exercises; it is used by
the chapters and the exercise sets, not read for the maths.

Core (re-exported here: ``nnlib.Dense``, ``nnlib.Sequential``, ``nnlib.relu`` ...)
----------------------------------------------------------------------------------
neuron       weighted_sum, Perceptron (chapter 1)
activations  step, relu, sigmoid, tanh, gelu, silu, softmax ... and their derivatives (chapter 3)
layers       Parameter, Layer, Dense, the activation layers, Dropout (chapter 2)
conv         Conv2D, MaxPool2D, AvgPool2D, Flatten: layers for images (chapter 6)
losses       mse, binary and categorical cross-entropy, with gradients (chapter 4)
network      Sequential, fit, count_parameters, mlp (chapters 2 and 4)
optim        SGD, Adam (chapter 4)
gradcheck    numerical_gradient, check_gradients (chapter 4)
tokens       CharTokenizer, byte-pair encoding (train_bpe, BPETokenizer): text to ids (chapter 7)
attention    causal_mask, scaled_dot_product_attention; Embedding, LayerNorm, SelfAttention,
             TransformerBlock: the layers of a transformer (chapter 7)
language_model  TransformerLM, train_language_model, generate, next_token_probabilities,
             perplexity, load_corpus (the book's own prose): a tiny language model (chapter 7)

Book support (used as modules: ``nnlib.data.moons``, ``nnlib.plots.plot_history``)
----------------------------------------------------------------------------------
data         small synthetic data sets, generated locally; the handwritten digits, shipped
scale        parameter, memory and compute arithmetic for large models (chapter 5)
plots        matplotlib helpers (loaded on first use: needs matplotlib)
widgets      the live widgets of the website and JupyterLab (loaded on first use)
checks       the exercises' self-checks with teaching messages

One convention for names, in every layer (``nnlib.layers`` explains it): an array is named as
in the book's formulas (``layer.W``, ``layer.b``), its gradient ``d`` + that name
(``layer.dW``), and both are the ``.value`` and ``.grad`` of a ``Parameter`` of that
``.name``; ``parameters()`` returns the Parameter objects; every layer has ``forward(X)``,
``backward(dY)`` returning dX, ``train()`` and ``eval()``. The private ``nnlib._utils`` holds
the argument checks, so that the core reads as its formulas.
"""

import importlib

# --- core: neuron, activations, losses, gradcheck ---
from nnlib import activations, gradcheck, losses, neuron
from nnlib.activations import (
    ACTIVATIONS,
    gelu,
    gelu_grad,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softmax,
    softmax_backward,
    step,
    step_grad,
    tanh,
    tanh_grad,
)
from nnlib.gradcheck import GradCheckResult, check_gradients, numerical_gradient
from nnlib.losses import (
    LOSSES,
    MSE,
    BinaryCrossEntropy,
    CrossEntropy,
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    get_loss,
    mse,
    mse_grad,
)
from nnlib.neuron import Perceptron, weighted_sum

# --- core: layers, network, optim ---
from nnlib import layers, network, optim
from nnlib.layers import (
    GELU,
    Dense,
    Dropout,
    Identity,
    Layer,
    LeakyReLU,
    Parameter,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
    activation_layer,
)
from nnlib.network import History, Sequential, count_parameters, mlp
from nnlib.optim import SGD, Adam, adam_step, sgd_step

# --- core: convolution (chapter 6) ---
from nnlib import conv
from nnlib.conv import (
    AvgPool2D,
    Conv2D,
    Flatten,
    MaxPool2D,
    avg_pool2d,
    conv2d,
    conv2d_parameters,
    conv_output_size,
    max_pool2d,
)

# --- core: language models (chapter 7) ---
from nnlib import attention, language_model, tokens
from nnlib.attention import (
    Embedding,
    LayerNorm,
    SelfAttention,
    TransformerBlock,
    attention_weights,
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)
from nnlib.language_model import (
    TrainingHistory,
    TransformerLM,
    generate,
    load_corpus,
    next_token_probabilities,
    perplexity,
    perplexity_from_loss,
    train_language_model,
)
from nnlib.tokens import (
    BPETokenizer,
    CharTokenizer,
    merge_pair,
    most_frequent_pair,
    pair_counts,
    train_bpe,
)

# --- book support: as modules only (plots and widgets load on first use, below) ---
from nnlib import checks, data, scale

__version__ = "0.1.0"

_LAZY_MODULES = ("plots", "widgets")


def __getattr__(name: str):
    """Load ``nnlib.plots`` and ``nnlib.widgets`` only when first used.

    They import matplotlib and ipywidgets, which ``import nnlib`` must not need.
    """
    if name in _LAZY_MODULES:
        return importlib.import_module(f"nnlib.{name}")
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
