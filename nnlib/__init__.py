"""nnlib: the small numpy neural-network library of the course book.

Every chapter and exercise set imports it. The source is meant to be read: each module is
short, vectorised with numpy, and keeps each forward computation next to its backward one.

Modules
-------
neuron       weighted_sum, Perceptron (chapter 1)
activations  step, relu, sigmoid, tanh, gelu, silu, softmax ... and their derivatives
layers       Dense and activation layers, Dropout
losses       mse, binary and categorical cross-entropy, with gradients
network      Sequential, count_parameters
optim        SGD, Adam
gradcheck    numerical_gradient, check_gradients
data         small synthetic data sets, generated locally
scale        parameter, memory and compute arithmetic for large models
plots        matplotlib helpers (imported lazily: needs matplotlib)
widgets      ipywidgets builders (imported lazily: needs ipywidgets)
checks       the exercises' self-checks with teaching messages
"""

from nnlib import checks

__version__ = "0.1.0"

__all__ = ["checks"]
