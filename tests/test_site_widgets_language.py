"""Chapter 7's two widgets are live on the built website: in Chromium with the network cut, every
control changes what the page shows, and the page shows nnlib's numbers.

The reference numbers come from the page itself: the widget state stored in the built HTML
holds what the views received (the trained model's weights for the next-character view, every
head's queries and keys for the attention explorer). The test rebuilds a ``TransformerLM`` from
those weights and calls ``nnlib.widgets.language.next_char_state`` (which calls
``nnlib.language_model.next_token_probabilities``), or ``attention_explorer_state`` (which calls
``nnlib.attention.attention_weights``), with the values the controls show, and compares the
sentences and numbers on the page character for character. Also: keyboard and mouse move the
sliders, a prompt with an unknown character gets a clear message (and a good prompt brings the
chart back), and the views fit a 390 px phone. The executed page's own claims about its
training run (it beats the bigram table, the trained table nearly matches counting) are read
from its printed output.
"""

from __future__ import annotations

import json
import re
from functools import cache

import numpy as np
import pytest
from widget_page import Chapters, WidgetPage, fits_a_phone

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_browser"),
              pytest.mark.xdist_group("site")]

PAGE = "book/07_language_model.html"
GRID = [("key", "Home"), ("key", "PageUp"), ("key", "ArrowRight"), ("drag", 0.3),
        ("key", "End"), ("key", "ArrowLeft"), ("key", "PageDown"), ("drag", 0.75)]


@cache
def stored_views() -> dict[str, dict]:
    """{"attention": data, "next_char": data}: the views' data as stored in the built page."""
    from bs4 import BeautifulSoup
    from site_browser import site_html

    html = (site_html() / PAGE).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for script in soup.find_all("script", type="application/vnd.jupyter.widget-state+json"):
        for model in json.loads(script.string)["state"].values():
            data = model.get("state", {}).get("data")
            if isinstance(data, dict) and "head_names" in data:
                found["attention"] = data
            elif isinstance(data, dict) and "weights" in data and "chars" in data:
                found["next_char"] = data
    assert found.keys() == {"attention", "next_char"}, (
        f"{PAGE} stores the data of {sorted(found)} only; expected both chapter 7 views")
    return found


@cache
def shipped_model():
    """The trained model the page ships, rebuilt in nnlib from the stored weights."""
    return model_of(stored_views()["next_char"])


def model_of(data: dict):
    """The model a next-character view computes with, rebuilt in nnlib from its data."""
    from nnlib.language_model import TransformerLM
    from nnlib.widgets.language import model_arrays, unpack_array

    c = data["config"]
    model = TransformerLM(c["vocab_size"], c["d_model"], c["n_heads"], c["n_layers"],
                          c["context"], d_ff=c["d_ff"], rng=0)
    arrays = model_arrays(model)
    assert arrays.keys() == data["weights"].keys()
    for name, packed in data["weights"].items():
        arrays[name][...] = unpack_array(packed)
    return model


def no_problems(widget: WidgetPage) -> None:
    problems = widget.tab.problems()
    assert problems == [], "the page reported problems:\n" + "\n".join(problems)


def move(widget: WidgetPage, label: str, how: str, arg) -> None:
    if how == "key":
        widget.press(label, arg)
    else:
        widget.drag(label, arg)


# ---------------------------------------------- both views on a phone (first: the page as loaded)


@pytest.fixture(scope="module")
def chapters():
    """The page, loaded once at a phone's width for the phone test (first), then widened to a
    desktop's for the other tests (``widget_page.Chapters``)."""
    pages = Chapters()
    yield pages
    pages.close()


def test_next_char_and_explorer_work_on_a_390_px_phone(chapters):
    tab = chapters.phone(PAGE)  # as a phone loads the page
    for name, label in (("next_char", "temperature"), ("attention_explorer",
                                                      "softmax temperature")):
        phone = WidgetPage(PAGE, name, tab=tab)
        fits_a_phone(phone)
        box = phone.view.locator("svg[role=img]").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            f"{name}: the plot does not fit the phone's width: {box}")
        before, start = phone.alt(), phone.value(label)
        phone.press(label, "ArrowRight", times=3)
        phone.page.wait_for_function(
            "([el, old]) => el.querySelector('svg[role=img]').getAttribute('aria-label')"
            " !== old", arg=[phone.view.element_handle(), before], timeout=10_000)
        # back where the page started, for the tests below
        phone.press(label, "ArrowLeft", times=3)
        assert phone.value(label) == start, f"{name}: {label} did not come back to {start}"
    no_problems(phone)


# ----------------------------------------------------------------------------- attention explorer


@pytest.fixture(scope="module")
def explorer(chapters):
    return WidgetPage(PAGE, "attention_explorer", tab=chapters.desktop(PAGE))


def check_explorer(widget: WidgetPage, data: dict | None = None) -> dict:
    """Compare the explorer with nnlib; ``data``: the view's data (default: the built page's)."""
    from nnlib.widgets.language import attention_explorer_state, unpack_array

    data = stored_views()["attention"] if data is None else data
    now = widget.read(["sentence", "head", "softmax temperature"], ["summary"])
    sentence = now.value("sentence")
    head_name = now.value("head")
    tau = float(now.value("softmax temperature"))
    s = ["".join(x["tokens"]) for x in data["sentences"]].index(sentence)
    h = data["head_names"].index(head_name)
    head = data["sentences"][s]["heads"][h]
    state = attention_explorer_state(unpack_array(head["Q"]), unpack_array(head["K"]), tau,
                                     data["sentences"][s]["tokens"], head_name)
    shown = now.shown("summary")
    assert shown == state["summary"], (
        f"{sentence!r}, {head_name}, tau {tau}: the page shows {shown!r}, nnlib gives "
        f"{state['summary']!r}")
    alt = now.alt
    last = ", ".join(f"{v:.2f}" for v in state["weights"][-1])
    assert alt.endswith(f"[{last}].") and f"at τ = {tau:.2f}" in alt, (
        f"the heat map's text alternative lacks the last row [{last}]: {alt!r}")
    assert now.state == "ok"
    return dict(sentence=sentence, head=head_name, tau=tau)


def test_explorer_starts_at_tau_one_with_the_first_head_and_sentence(explorer):
    now = check_explorer(explorer)
    data = stored_views()["attention"]
    assert now == dict(sentence="".join(data["sentences"][0]["tokens"]),
                       head=data["head_names"][0], tau=1.0)
    cells = explorer.view.locator("svg[role=img] rect[fill^='url(#']").count()
    T = len(data["sentences"][0]["tokens"])
    assert cells == T * (T - 1) // 2, "the masked cells (the future) must be hatched"
    no_problems(explorer)


def test_explorer_tau_slider_agrees_with_nnlib_on_a_grid(explorer):
    seen = set()
    for how, arg in GRID:
        move(explorer, "softmax temperature", how, arg)
        seen.add(check_explorer(explorer)["tau"])
    assert len(seen) >= 5, f"moving tau gave only {sorted(seen)}"
    no_problems(explorer)


def test_explorer_every_head_and_sentence_is_drawn_with_nnlibs_numbers(explorer):
    data = stored_views()["attention"]
    explorer.press("softmax temperature", "Home")
    for sentence in data["sentences"]:
        explorer.choose("sentence", "".join(sentence["tokens"]))
        for name in data["head_names"]:
            explorer.choose("head", name)
            explorer.page.wait_for_function(
                "([el, want]) => (el.querySelector('[data-value=summary]')?.textContent || '')"
                ".startsWith(want)", arg=[explorer.view.element_handle(), name], timeout=10_000)
            check_explorer(explorer)
    no_problems(explorer)


def test_sharp_tau_puts_almost_all_weight_on_one_character(explorer):
    explorer.press("softmax temperature", "Home")
    check_explorer(explorer)
    summary = explorer.read(keys=["summary"]).shown("summary")
    mean_max = float(re.search(r"is (\d\.\d\d) on average", summary).group(1))
    explorer.press("softmax temperature", "End")
    check_explorer(explorer)
    summary = explorer.read(keys=["summary"]).shown("summary")
    flat = float(re.search(r"is (\d\.\d\d) on average", summary).group(1))
    assert mean_max > flat, f"tau 0.1 gives {mean_max}, tau 3 gives {flat}"


# ----------------------------------------------------------------------------- next character


@pytest.fixture(scope="module")
def next_char(chapters):
    return WidgetPage(PAGE, "next_char", tab=chapters.desktop(PAGE))


def type_prompt(widget: WidgetPage, text: str) -> None:
    box = widget.control("prompt").locator("input")
    box.fill(text)
    widget.page.wait_for_function(
        "([el, want]) => {const s = el.querySelector('[data-value=summary]');"
        " const p = el.querySelector('.nnlib-problem');"
        " return (s && s.textContent.includes(want)) || !!p;}",
        arg=[widget.view.element_handle(), text[-5:].replace(" ", "␣")], timeout=10_000)


def check_next_char(widget: WidgetPage, data: dict | None = None, model=None) -> dict:
    """Compare the chart with nnlib; ``data``, ``model``: the view's data and the model it
    computes with (default: the built page's)."""
    from nnlib.widgets.language import next_char_state

    data = stored_views()["next_char"] if data is None else data
    model = shipped_model() if model is None else model
    now = widget.read(["prompt", "temperature"],
                      ["summary"] + [f"p_{rank}" for rank in range(data["top"])],
                      [".nnlib-problem", "[role=alert]"])
    prompt = now.value("prompt")
    T = float(now.value("temperature"))
    state = next_char_state(model, data["chars"], prompt, T, data["top"])
    if "problem" in state:
        assert now.state == "problem"
        problems = now.texts[".nnlib-problem"]
        assert len(problems) == 1, f"the view shows {len(problems)} messages: {problems}"
        shown = problems[0].strip()
        assert shown == state["problem"], f"page: {shown!r}, nnlib: {state['problem']!r}"
        assert len(now.texts["[role=alert]"]) == 1
        return dict(prompt=prompt, T=T, problem=True)
    assert now.state == "ok"
    shown = now.shown("summary")
    assert shown == state["summary"], f"page: {shown!r}, nnlib: {state['summary']!r}"
    for rank, i in enumerate(state["top"]):
        char = {" ": "␣", "\n": "↵", "\t": "⇥"}.get(data["chars"][i], data["chars"][i])
        expected = f"\"{char}\" {state['probabilities'][i]:.3f}"
        assert now.shown(f"p_{rank}") == expected, (
            f"{prompt!r} at T = {T}: rank {rank} shows {now.shown(f'p_{rank}')!r}, nnlib "
            f"{expected!r}")
    return dict(prompt=prompt, T=T, problem=False)


def test_next_char_starts_with_the_pages_prompt_at_t_one(next_char):
    now = check_next_char(next_char)
    assert now["T"] == 1.0 and not now["problem"]
    assert now["prompt"] == "The network learns "
    no_problems(next_char)


def test_next_char_temperature_slider_agrees_with_nnlib_on_a_grid(next_char):
    seen = set()
    for how, arg in GRID:
        move(next_char, "temperature", how, arg)
        seen.add(check_next_char(next_char)["T"])
    assert len(seen) >= 5 and 0.0 in seen, f"moving T gave only {sorted(seen)}"
    no_problems(next_char)


@pytest.mark.parametrize("prompt", ["the weights of a layer", "Attention is",
                                    "x" * 45 + " and the"])
def test_typed_prompts_give_nnlibs_probabilities(next_char, prompt):
    next_char.press("temperature", "Home")
    type_prompt(next_char, prompt)
    now = check_next_char(next_char)
    assert now["prompt"] == prompt and not now["problem"]


@pytest.mark.parametrize("bad", ["naïve", "a ~ b é", ""])
def test_unknown_characters_get_a_clear_message_and_a_good_prompt_recovers(next_char, bad):
    type_prompt(next_char, bad)
    now = check_next_char(next_char)
    assert now["problem"], f"{bad!r} was accepted"
    message = next_char.view.locator(".nnlib-problem").inner_text()
    if bad:
        assert "does not know" in message and "Remove or replace" in message
    type_prompt(next_char, "The network ")
    assert not check_next_char(next_char)["problem"]
    no_problems(next_char)


# ----------------------------------------------------------------------------- the executed page


@cache
def page_text() -> str:
    from bs4 import BeautifulSoup
    from site_browser import site_html

    soup = BeautifulSoup((site_html() / PAGE).read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.get_text(" ").split())


def test_the_executed_page_backs_its_claims_about_the_training_run():
    text = page_text()
    net, ppl, counted = map(float, re.search(
        r"validation: loss (\d+\.\d+), perplexity \d+\.\d+ \(counting gave (\d+\.\d+)\)"
        .replace("perplexity \\d+\\.\\d+", "perplexity (\\d+\\.\\d+)"), text).groups())
    assert abs(net - counted) < 0.1, (
        f"the page says the trained bigram table nearly reaches counting: {net} vs {counted}")
    val, val_ppl, bigram_ppl, uniform = map(float, re.search(
        r"validation loss (\d+\.\d+), perplexity (\d+\.\d+) \(bigram table (\d+\.\d+), uniform "
        r"guess (\d+)\)", text).groups())
    assert val_ppl < bigram_ppl < uniform, "the transformer must beat the bigram table"
    assert abs(np.exp(val) - val_ppl) < 0.01 * val_ppl
    params, counted = re.search(r"parameters: ([\d,]+); chapter 5's transformer_parameters: "
                                r"([\d,]+)", text).groups()
    assert params == counted
    assert ppl > 1
    # the glued numbers in the prose are the printed ones
    shown = re.search(r"reaches a perplexity of about (\d+\.\d)", text).group(1)
    assert abs(float(shown) - val_ppl) <= 0.05 + 1e-9
    assert f"of {params} parameters" in text


def test_the_embedding_neighbours_the_page_points_at_are_there():
    text = page_text()
    one = re.search(r"'1': ((?:'.' -?\d\.\d\d(?:, )?){4})", text)
    assert one, "the page prints no nearest neighbours of '1'"
    neighbours = re.findall(r"'(.)' -?\d\.\d\d", one.group(1))
    digits = [c for c in neighbours if c.isdigit()]
    assert len(digits) >= 2, f"the page says digits sit near digits; '1' has {neighbours}"
    dot = re.search(r"'\.': ((?:'.' -?\d\.\d\d(?:, )?){4})", text)
    marks = [c for c in re.findall(r"'(.)' -?\d\.\d\d", dot.group(1)) if not c.isalnum()]
    assert len(marks) >= 2, f"the page says punctuation sits near punctuation; '.' has {marks}"
