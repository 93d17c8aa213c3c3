"""Interactive widgets of the chapters (ipywidgets + matplotlib).

Each builder returns a ready-to-display widget. Each widget's update logic is a plain function
(no widgets, no kernel) that the tests call directly; the builder only wires sliders to it.

One module per chapter:

neuron       chapter 1: the spam-email neuron, the decision-boundary sliders
layers       chapter 2: layer-size sliders redrawing a network diagram
activations  chapter 3: softmax temperature, activation explorer
training     chapter 4: learning rate on a 1-D loss, the training playground
scale        chapter 5: training time and memory calculator
conv         chapter 6: kernel explorer (a digit, a 3x3 kernel, pooling)
language     chapter 7: attention explorer, next character of the trained tiny transformer
"""

from nnlib.widgets.activations import activation_explorer_widget, temperature_widget  # noqa: F401
from nnlib.widgets.conv import kernel_explorer_widget  # noqa: F401
from nnlib.widgets.language import attention_explorer_widget, next_char_widget  # noqa: F401
from nnlib.widgets.layers import network_builder_widget  # noqa: F401
from nnlib.widgets.neuron import decision_boundary_widget, spam_neuron_widget  # noqa: F401
from nnlib.widgets.scale import training_time_widget  # noqa: F401
from nnlib.widgets.training import learning_rate_widget, training_playground_widget  # noqa: F401
