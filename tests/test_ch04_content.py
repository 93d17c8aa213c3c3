"""Chapter 4: the worked examples the reading page states in prose are what nnlib computes.

The page derives the losses, their gradients and gradient descent by hand, with numbers in the
text (the mean squared error of three predictions, binary and softmax cross-entropy and their
gradients, one SGD update, gradient descent on a parabola and its learning rates). These tests
read those numbers from the page (tests/chapter_text.py) and recompute them with nnlib.losses and
nnlib.optim, so a wrong number on the page, or a change of nnlib that would make the prose wrong,
fails here; tests/test_chapter_text.py shows that each can fail.
"""

import numpy as np
from chapter_text import Page, agrees

from nnlib import losses
from nnlib.activations import sigmoid, softmax
from nnlib.layers import Parameter
from nnlib.optim import SGD

CHAPTER = Page("04_backprop")


def assert_quoted(quoted, computed, what: str) -> None:
    assert agrees(quoted, computed), (
        f"book/04_backprop.md says {quoted.text} for {what}; nnlib computes "
        f"{float(computed):.10g}")


def assert_tuple(quoted, computed, what: str) -> None:
    assert len(quoted) == len(computed) and all(
        agrees(q, c) for q, c in zip(quoted, computed, strict=True)), (
        f"book/04_backprop.md says {[q.text for q in quoted]} for {what}; nnlib computes "
        f"{np.asarray(computed).round(6).tolist()}")


def weight(value: float) -> Parameter:
    """One trainable weight, as a layer holds it."""
    return Parameter("w", np.array([float(value)]), np.zeros(1))


def quoted_tuple(pattern: str) -> list:
    """The numbers of one tuple written as @ places, e.g. "$(@,\\ @,\\ @)$"."""
    return CHAPTER.numbers(pattern)


def test_mean_squared_error_example_and_its_gradient():
    pred, target, errors = CHAPTER.numbers(
        "Take predictions $@@$ for targets $@@$. The errors are $@@$")
    np.testing.assert_allclose(errors, pred - target, atol=1e-12)
    squares = quoted_tuple("their squares $(@,\\ @,\\ @)$")
    assert_tuple(squares, (pred - target) ** 2, "the squared errors")
    total, n, mean = CHAPTER.numbers("and the mean is $@ / @ = @$")
    assert n == len(pred)
    assert_quoted(total, ((pred - target) ** 2).sum(), "the sum of squares")
    assert_quoted(mean, losses.mse(pred, target), "the mean squared error")
    gradient = quoted_tuple("\\tfrac{2}{3}(-0.5,\\ 0.5,\\ 0.1) = (@,\\ @,\\ @)$")
    assert_tuple(gradient, losses.mse_grad(pred, target), "the gradient of the MSE")


def test_binary_cross_entropy_example_and_its_gradient():
    z1, y1, p1, _, loss1 = CHAPTER.numbers(
        "For $z = @$ and $y = @$, $p = \\sigma(2) = @$ and $\\ell = -\\log @ = @$")
    z2, y2, p2, _, loss2 = CHAPTER.numbers(
        "For $z = @$ and $y = @$, $p = @$ and $\\ell = -\\log @ = @$. The batch")
    z, y = np.array([z1, z2]), np.array([y1, y2])
    assert_tuple([p1, p2], sigmoid(z), "the probabilities")
    assert_quoted(loss1, losses.binary_cross_entropy_with_logits(z[:1], y[:1]), "the first loss")
    assert_quoted(loss2, losses.binary_cross_entropy_with_logits(z[1:], y[1:]), "the second loss")
    mean = CHAPTER.number("The batch loss is the mean, $(0.127 + 0.313) / 2 = @$")
    assert_quoted(mean, losses.binary_cross_entropy_with_logits(z, y), "the batch loss")
    p_wrong, cost = CHAPTER.numbers("$p = @$ for a true 1 costs $-\\log 0.01 = @$")
    assert_quoted(cost, losses.binary_cross_entropy(np.array([p_wrong]), np.array([1.0])),
                  "a confident wrong answer")
    per_example = CHAPTER.numbers(
        "For our two examples that is $0.881 - 1 = @$ and $0.269 - 0 = @$")
    assert_tuple(per_example, sigmoid(z) - y, "sigma(z) - y")
    gradient = quoted_tuple("divided by $N = 2$ for the mean: $(@,\\ @)$")
    assert_tuple(gradient, losses.binary_cross_entropy_with_logits_grad(z, y),
                 "the gradient of the batch loss")


def test_softmax_cross_entropy_example_and_its_gradient():
    logits = np.array(quoted_tuple("With logits $(@,\\ @,\\ @)$, softmax gives"))
    probs = quoted_tuple("softmax gives $(@,\\ @,\\ @)$; if class 0 is right")
    assert_tuple(probs, softmax(logits), "softmax of the logits")
    loss = CHAPTER.number("if class 0 is right, the loss is $-\\log 0.659 = @$")
    assert_quoted(loss, losses.cross_entropy(logits[None, :], np.array([0])), "the loss")
    gradient = quoted_tuple("(0.659 - 1,\\ 0.242,\\ 0.099) = (@,\\ @,\\ @)$")
    assert_tuple(gradient, losses.cross_entropy_grad(logits[None, :], np.array([0]))[0],
                 "the gradient of the cross-entropy")


def test_one_sgd_update_as_quoted():
    w, grad, lr, _, _, _, new = CHAPTER.numbers(
        "For a weight $w = @$ with gradient $@$ and learning rate $@$, the update gives "
        "$@ - @ \\cdot @ = @$")
    param = weight(w)
    param.grad = np.array([grad])
    SGD(lr).step([param])
    assert_quoted(new, param.value[0], "the weight after one SGD step")


def test_gradient_descent_on_the_parabola_as_quoted():
    w0, eta = CHAPTER.numbers("Start at $w_0 = @$ with $\\eta = @$")

    def gradient(w):  # the page's loss L(w) = (w - 3)^2 + 1
        return 2 * (w - 3)

    g0, _, _, _, w1 = CHAPTER.numbers("The gradient is $2(-1 - 3) = @$, so $w_1 = @ - @ \\cdot "
                                      "(@) = @$")
    assert_quoted(g0, gradient(w0), "the first gradient")
    param = weight(w0)
    param.grad = np.array([gradient(w0)])
    SGD(eta).step([param])
    assert_quoted(w1, param.value[0], "w_1")
    g1, _, _, w2 = CHAPTER.numbers("then the gradient is $@$ and $w_2 = @ + @ = @$")
    assert_quoted(g1, gradient(param.value[0]), "the second gradient")
    param.grad = np.array([gradient(param.value[0])])
    SGD(eta).step([param])
    assert_quoted(w2, param.value[0], "w_2")
    for rate, factor, steps, left in (
        CHAPTER.numbers("$\\eta = @$: factor $@$. After 20 steps $0.98^{@} = @$"),
        CHAPTER.numbers("$\\eta = @$: factor $@$, and $0.8^{@} = @$"),
    ):
        assert_quoted(factor, 1 - 2 * rate, f"the factor of eta = {rate}")
        param = weight(w0)
        for _ in range(int(steps)):
            param.grad = np.array([gradient(param.value[0])])
            SGD(rate).step([param])
        assert_quoted(left, (param.value[0] - 3) / (w0 - 3), f"what is left after {steps} steps")
