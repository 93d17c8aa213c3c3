"""Chapter 7 widgets: the attention explorer and the next character of the trained tiny model.

Both run in the reader's browser with no kernel (nnlib/widgets/live.py):

- :func:`attention_explorer_widget`: a sentence, one head of the trained model, and a
  temperature tau on its attention softmax; the heat map of the weights is computed in the page
  by js/attention_explorer.js from the head's queries and keys, which are shipped with the page.
  :func:`attention_explorer_state` is the reference it mirrors (nnlib.attention).
- :func:`next_char_widget`: a prompt and a temperature; the page runs the whole trained model
  (js/transformer.js, its forward pass) from weights shipped with the page, and shows the
  probabilities of the next character. :func:`next_char_state` is the reference it mirrors
  (nnlib.language_model.next_token_probabilities).

The arrays travel as float32 (half the bytes of float64) in base64 (:func:`pack_array`). The
reference functions use the same rounded numbers, so page and nnlib compute with identical
weights; :func:`shipped_model` returns the model with its weights rounded that way.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import numpy as np
import traitlets

from nnlib.attention import attention_weights
from nnlib.language_model import next_token_probabilities
from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = [
    "ATTENTION_SENTENCES",
    "show_char",
    "pack_array",
    "unpack_array",
    "model_arrays",
    "shipped_model",
    "queries_and_keys",
    "attention_explorer_state",
    "prompt_problem",
    "next_char_state",
    "AttentionExplorerView",
    "NextCharView",
    "attention_explorer_widget",
    "next_char_widget",
]

ATTENTION_SENTENCES = ("the network", "a neuron fires", "learning rate")
T_MAX = 2.0
TAU_MIN, TAU_MAX = 0.1, 3.0


def show_char(c: str) -> str:
    """A character as the widgets print it: a space as '␣', a line break as '↵', a tab '⇥'."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c)


# ----------------------------------------------------------------------------- shipping arrays


def pack_array(a: Any) -> dict:
    """``{"shape": [...], "b64": "..."}``: the array as float32 little-endian bytes in base64."""
    a = np.asarray(a, dtype="<f4")
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def unpack_array(packed: dict) -> np.ndarray:
    """The float64 array of :func:`pack_array`'s output (the float32 numbers, exactly)."""
    raw = np.frombuffer(base64.b64decode(packed["b64"]), dtype="<f4")
    return raw.astype(np.float64).reshape(packed["shape"])


def model_arrays(model: Any) -> dict[str, np.ndarray]:
    """The trained arrays of a ``TransformerLM`` by the names js/transformer.js reads.

    ``token_embedding`` (V, C), ``position_embedding`` (context, C); per block l the block's
    own parameter names, ``blocks.l.ln1.gamma`` (C,), ``blocks.l.attn.W_q`` (C, C) ...
    ``blocks.l.fc1.W`` (C, d_ff), ``blocks.l.fc2.b`` (C,); ``ln_f.gamma``, ``ln_f.beta``;
    ``head.W`` (C, V), the output matrix ``W_out``. The arrays are the model's own (not
    copies).
    """
    arrays = {"token_embedding": model.tok_emb.W, "position_embedding": model.pos_emb.W}
    for layer, block in enumerate(model.blocks):
        for name, parameter in block.named_parameters():
            arrays[f"blocks.{layer}.{name}"] = parameter.value
    arrays["ln_f.gamma"] = model.ln_f.gamma
    arrays["ln_f.beta"] = model.ln_f.beta
    arrays["head.W"] = model.W_out
    return arrays


def model_config(model: Any) -> dict:
    """The shape of a TransformerLM as js/transformer.js needs it."""
    block = model.blocks[0]
    eps = {float(layer.eps) for b in model.blocks for layer in (b.ln1, b.ln2)}
    eps.add(float(model.ln_f.eps))
    if len(eps) != 1:
        raise ValueError(f"expected one LayerNorm eps in the whole model, got {sorted(eps)}")
    return {"vocab_size": int(model.vocab_size), "d_model": int(block.d_model),
            "n_heads": int(block.attn.n_heads), "n_layers": len(model.blocks),
            "context": int(model.context), "d_ff": int(block.d_ff), "eps": eps.pop(),
            "gelu": "tanh" if block.act.approximate else "exact"}


def shipped_model(model: Any) -> Any:
    """A copy of ``model`` with every array rounded to float32: what the page computes with."""
    copied = copy.deepcopy(model)
    for array in model_arrays(copied).values():
        array[...] = array.astype(np.float32)
    return copied


# ----------------------------------------------------------------------------- attention


def queries_and_keys(model: Any, ids: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``[(name, Q, K), ...]`` of every head of every block of ``model`` on one sequence.

    Runs the model on ``ids`` (a list of T ints) up to each block, as its forward pass does:
    the block's input x, then h = ln1(x), Q = h W_q + b_q, K = h W_k + b_k, and head j takes
    channels j*hs..(j+1)*hs. Q and K of a head are (T, hs). ``attention_weights(Q, K)`` of a
    head equals the block's ``attn.last_weights`` after ``model.forward``.
    """
    ids = np.asarray(ids, dtype=np.int64)[None, :]
    T = ids.shape[1]
    if not 1 <= T <= model.context:
        raise ValueError(f"queries_and_keys expected 1 to {model.context} ids (the model's "
                         f"context), got {T}")
    x = model.tok_emb.forward(ids) + model.pos_emb.forward(np.arange(T)[None, :])
    found = []
    for layer, block in enumerate(model.blocks):
        h = block.ln1.forward(x)[0]
        Q = h @ block.attn.W_q + block.attn.b_q
        K = h @ block.attn.W_k + block.attn.b_k
        n_heads = block.attn.n_heads
        hs = Q.shape[1] // n_heads
        for j in range(n_heads):
            cut = slice(j * hs, (j + 1) * hs)
            found.append((f"layer {layer + 1}, head {j + 1}", Q[:, cut], K[:, cut]))
        x = block.forward(x)
    return found


def _check_tau(tau: Any) -> float:
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating, np.integer)):
        raise TypeError(f"tau: expected a number (the attention temperature), got {tau!r}")
    if not tau > 0:
        raise ValueError(f"tau: the attention temperature must be > 0, got {tau!r}")
    return float(tau)


def attention_explorer_state(Q: Any, K: Any, tau: float, tokens: Any,
                             head_name: str = "head") -> dict:
    """The explorer's heat map and sentence for one head: ``weights`` (T, T) =
    ``attention_weights(Q, K, causal=True, scale=1 / (sqrt(d) * tau))``, ``best`` (the column
    the last row weighs most), ``mean_max`` (the mean over rows of the largest weight) and the
    ``summary`` sentence the page prints. Q, K: (T, d); tokens: the T characters."""
    tau = _check_tau(tau)
    Q, K = np.asarray(Q, dtype=float), np.asarray(K, dtype=float)
    tokens = list(tokens)
    if Q.ndim != 2 or Q.shape != K.shape or Q.shape[0] != len(tokens):
        raise ValueError(f"expected Q and K of shape (T, d) with T = {len(tokens)} tokens, got "
                         f"Q {Q.shape} and K {K.shape}")
    d = Q.shape[1]
    weights = attention_weights(Q, K, causal=True, scale=1 / (np.sqrt(d) * tau))
    T = len(tokens)
    best = int(np.argmax(weights[-1]))
    mean_max = float(np.mean(weights.max(axis=1)))
    summary = (f"{head_name}, τ = {tau:.2f}: the last character \"{show_char(tokens[-1])}\" "
               f"gives its largest weight, {weights[-1, best]:.2f}, to character {best + 1} "
               f"(\"{show_char(tokens[best])}\"); the largest weight of a row is "
               f"{mean_max:.2f} on average (1/(row number) would be a plain average).")
    assert weights.shape == (T, T)
    return {"weights": weights, "best": best, "mean_max": mean_max, "summary": summary}


# ----------------------------------------------------------------------------- next character


def prompt_problem(prompt: str, chars: Any) -> str | None:
    """None if the model can read ``prompt``, else the sentence the page shows instead."""
    if not prompt:
        return "Type at least one character: the model continues your text."
    unknown = sorted(set(prompt) - set(chars))
    if unknown:
        one = len(unknown) == 1
        shown = " ".join(f'"{show_char(c)}"' for c in unknown)
        return (f"The model does not know {'the character' if one else 'the characters'} "
                f"{shown}: it learnt only the {len(chars)} characters of its training text. "
                f"Remove or replace {'it' if one else 'them'}.")
    return None


def next_char_state(model: Any, chars: Any, prompt: str, T: float, top: int = 10) -> dict:
    """What the next-character widget shows for ``prompt`` at temperature ``T``.

    ``{"problem": sentence}`` if the prompt cannot be read (empty, or a character outside
    ``chars``, the tokenizer's characters); else ``probabilities`` (V,) =
    ``next_token_probabilities(model, ids, T)``, ``top`` (the ids of the ``top`` most likely
    characters, ties to the smaller id), ``used`` (how many characters the model reads: at most
    its context), ``n`` and the ``summary`` sentence. Pass :func:`shipped_model` to get the
    page's numbers exactly.
    """
    chars = list(chars)
    problem = prompt_problem(prompt, chars)
    if problem:
        return {"problem": problem}
    index = {c: i for i, c in enumerate(chars)}
    ids = [index[c] for c in prompt]
    p = next_token_probabilities(model, ids, temperature=T)
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))[:top]
    used = min(len(ids), int(model.context))
    best = order[0]
    shown = "".join(show_char(c) for c in prompt[-used:])
    summary = (f"After \"{shown}\" (the last {used} of {len(ids)} characters) at T = {T:.2f}: "
               f"most likely \"{show_char(chars[best])}\" with probability {p[best]:.3f}.")
    return {"probabilities": p, "top": order, "used": used, "n": len(ids), "summary": summary}


# ----------------------------------------------------------------------------- the widgets


class AttentionExplorerView(LiveView):
    """The heat map and summary of the attention explorer, computed in the browser by
    js/attention_explorer.js (which mirrors :func:`attention_explorer_state`). ``sentence``
    and ``head`` are indices into ``data["sentences"]`` and ``data["head_names"]``."""

    _esm = esm("attention_explorer.js")
    sentence = traitlets.Int(0).tag(sync=True)
    head = traitlets.Int(0).tag(sync=True)
    tau = traitlets.Float(1.0).tag(sync=True)


class NextCharView(LiveView):
    """The next-character chart, computed in the browser by js/next_char.js with the shipped
    weights (mirrors :func:`next_char_state`)."""

    _esm = esm("next_char.js")
    prompt = traitlets.Unicode("").tag(sync=True)
    T = traitlets.Float(1.0).tag(sync=True)


def _chars_of(tokenizer: Any) -> list[str]:
    chars = getattr(tokenizer, "chars", None)
    if not isinstance(chars, list) or not all(isinstance(c, str) for c in chars):
        raise TypeError(f"expected a CharTokenizer (with .chars), got {type(tokenizer).__name__}")
    return chars


def attention_explorer_data(model: Any, tokenizer: Any,
                            sentences: tuple[str, ...] = ATTENTION_SENTENCES) -> dict:
    """The explorer's ``data``: per sentence its characters and every head's Q and K (packed
    as float32), and the head names."""
    chars = _chars_of(tokenizer)
    out, names = [], None
    for sentence in sentences:
        problem = prompt_problem(sentence, chars)
        if problem:
            raise ValueError(f"sentence {sentence!r}: {problem}")
        if len(sentence) > model.context:
            raise ValueError(f"sentence {sentence!r} has {len(sentence)} characters; the model "
                             f"reads at most {model.context}")
        heads = queries_and_keys(model, tokenizer.encode(sentence))
        names = [name for name, _, _ in heads]
        out.append({"tokens": list(sentence),
                    "heads": [{"Q": pack_array(Q), "K": pack_array(K)} for _, Q, K in heads]})
    return {"sentences": out, "head_names": names}


def attention_explorer_widget(model: Any, tokenizer: Any,
                              sentences: tuple[str, ...] = ATTENTION_SENTENCES):
    """Dropdowns for the sentence and the head, a slider for the attention temperature tau.

    model: a trained TransformerLM; tokenizer: its CharTokenizer. Every sentence must use only
    the tokenizer's characters and fit the model's context. Returns an ipywidgets VBox; the heat
    map is an :class:`AttentionExplorerView`, computed in the browser.
    """
    import ipywidgets as widgets

    data = attention_explorer_data(model, tokenizer, tuple(sentences))
    sentence = widgets.Dropdown(options=list(sentences), value=sentences[0],
                                description="sentence")
    head = widgets.Dropdown(options=data["head_names"], value=data["head_names"][0],
                            description="head")
    tau = widgets.FloatSlider(value=1.0, min=TAU_MIN, max=TAU_MAX, step=0.05,
                              description="τ (softmax temperature)", readout_format=".2f",
                              style={"description_width": "initial"},
                              layout=widgets.Layout(width="24em", max_width="100%"))
    view = AttentionExplorerView(data=data)
    links = link_controls(view, {"sentence": sentence, "head": head, "tau": tau})
    wrap = widgets.Layout(flex_flow="row wrap")
    box = widgets.VBox([widgets.HBox([sentence, head], layout=wrap), tau, view])
    box._links = links  # keeps the links alive as long as the widget
    return box


def next_char_data(model: Any, tokenizer: Any, top: int = 10) -> dict:
    """The next-character view's ``data``: the packed weights, the shape, the characters."""
    chars = _chars_of(tokenizer)
    return {"weights": {name: pack_array(a) for name, a in model_arrays(model).items()},
            "config": model_config(model), "chars": chars, "top": int(top)}


def next_char_widget(model: Any, tokenizer: Any, prompt: str = "The network ", top: int = 10):
    """A text box for the prompt and a temperature slider (0 to 2); the probabilities of the
    next character of the trained model, computed in the browser from its shipped weights.

    A prompt with a character outside the tokenizer's vocabulary shows a message naming it.
    Returns an ipywidgets VBox; the chart is a :class:`NextCharView`.
    """
    import ipywidgets as widgets

    if not isinstance(prompt, str):
        raise TypeError(f"prompt: expected a str, got {type(prompt).__name__}")
    problem = prompt_problem(prompt, _chars_of(tokenizer))
    if problem:
        raise ValueError(f"prompt {prompt!r}: {problem}")
    text = widgets.Text(value=prompt, description="prompt", continuous_update=True,
                        layout=widgets.Layout(width="24em", max_width="100%"))
    temperature = widgets.FloatSlider(value=1.0, min=0.0, max=T_MAX, step=0.05,
                                      description="temperature T",
                                      readout_format=".2f",
                                      style={"description_width": "initial"},
                                      layout=widgets.Layout(width="20em", max_width="100%"))
    view = NextCharView(data=next_char_data(model, tokenizer, top))
    links = link_controls(view, {"prompt": text, "T": temperature})
    box = widgets.VBox([text, temperature, view])
    box._links = links  # keeps the links alive as long as the widget
    return box
