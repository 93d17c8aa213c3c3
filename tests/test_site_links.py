"""Every internal link and anchor of the built website resolves; every image has alt text.

Read from the HTML the build wrote (no browser needed): each ``href`` and ``src`` of a page that
points inside the site must name a file the site has, and a ``#fragment`` must name an element
id (or an ``<a name>``) of the page it points to. External links are not followed offline; they
are only checked to be well-formed. Every ``<img>`` must carry a non-empty ``alt`` describing it
(CONTRIBUTING.md: the ``mystnb: image: alt:`` metadata of the plot's cell).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_site import parsed_page
from site_browser import site_html, site_pages

# The site's xdist group: one strict build per run for all workers (book_site.py); each module
# is a work unit of its own, which either worker may run (conftest.py, work_unit).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}
NOT_CHECKED_SCHEMES = {"mailto", "tel", "javascript", "data"}


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    soup = parsed_page(path)
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    names = {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids | names)


def internal_links(html: Path, page: str):
    """(tag, url, target file, fragment) for each link of the page that stays inside the site."""
    path = html / page
    for tag_name, attribute in LINK_ATTRIBUTES.items():
        for tag in parsed_page(path).find_all(tag_name, attrs={attribute: True}):
            url = tag[attribute].strip()
            parts = urlsplit(url)
            if parts.scheme in NOT_CHECKED_SCHEMES or parts.scheme or parts.netloc:
                continue
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            yield tag_name, url, target, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves():
    html = site_html().resolve()
    broken = []
    checked = 0
    for page in site_pages(html):
        for tag, url, target, fragment in internal_links(html, page):
            checked += 1
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page}: <{tag}> {url} -> no such file {target}")
            elif not target.is_relative_to(html):
                broken.append(f"{page}: <{tag}> {url} points outside the site ({target})")
            elif fragment and target.suffix == ".html" and fragment not in anchors(target):
                broken.append(f"{page}: <{tag}> {url} -> {target.name} has no id {fragment!r}")
    assert checked > 100, f"only {checked} internal links found: is the site built fully?"
    assert broken == [], f"{len(broken)} broken internal links:\n" + "\n".join(broken)


def test_external_links_are_well_formed():
    html = site_html()
    bad = []
    for page in site_pages(html):
        for a in parsed_page(html / page).find_all("a", href=True):
            parts = urlsplit(a["href"].strip())
            if parts.scheme in {"http", "https"} and not parts.netloc:
                bad.append(f"{page}: {a['href']}")
    assert bad == [], "external links without a host:\n" + "\n".join(bad)


def test_every_image_has_alt_text():
    html = site_html()
    missing = []
    images = 0
    for page in site_pages(html):
        for img in parsed_page(html / page).find_all("img"):
            images += 1
            if not (img.get("alt") or "").strip():
                missing.append(f"{page}: <img src={str(img.get('src'))[:80]!r}>")
    assert images > 0, "the site has no image at all: are the chapters' plots missing?"
    assert missing == [], (
        f"{len(missing)} images without alt text (give the plot's cell `mystnb: image: alt:`, "
        "see CONTRIBUTING.md):\n" + "\n".join(missing)
    )


PLOT_CALLS = {
    "plot",
    "scatter",
    "bar",
    "barh",
    "hist",
    "step",
    "fill_between",
    "semilogy",
    "semilogx",
    "loglog",
    "errorbar",
    "stem",
    "stackplot",
}
COLOUR_KEYWORDS = {"color", "c", "colors", "edgecolor", "facecolor", "cmap"}
NEUTRAL = {"black", "k", "grey", "gray", "dimgrey", "dimgray", "lightgrey", "lightgray", "white"}


def _code_cells(source: Path) -> list[str]:
    import jupytext

    notebook = jupytext.read(source)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _plot_calls_without_safe_colour(code: str) -> list[str]:
    """Plotting calls that leave matplotlib's default colours or name an unsafe colour."""
    import ast

    from nnlib.plots import PALETTE

    safe = {colour.lower() for colour in PALETTE} | NEUTRAL
    lines = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines()
    )
    problems = []
    for node in ast.walk(ast.parse(lines)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = ast.unparse(node.func.value)
        # matplotlib's pyplot or an Axes (ax, axes[0], ax_curves, ...), not e.g. nnlib's step
        if node.func.attr not in PLOT_CALLS or not re.search(r"^plt$|ax", receiver):
            continue
        colours = [k for k in node.keywords if k.arg in COLOUR_KEYWORDS]
        if not colours:
            problems.append(f"line {node.lineno}: {ast.unparse(node)[:90]} (no colour given)")
        for keyword in colours:
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                if value.value.lower() not in safe:
                    problems.append(f"line {node.lineno}: {keyword.arg}={value.value!r}")
    return problems


def test_chapter_plots_use_the_colour_blind_safe_palette():
    """Chapters plot through nnlib.plots (Okabe-Ito colours, distinct markers and line styles,
    tested in tests/test_plots.py); where a chapter draws with matplotlib itself, each call
    names its colour, from nnlib.plots.PALETTE or a neutral grey/black."""
    from book_site import ROOT, source_of, toc_part

    offenders = []
    for chapter in toc_part("Chapters"):
        source = source_of(chapter)
        for index, code in enumerate(_code_cells(source)):
            offenders += [
                f"{source.relative_to(ROOT)}, code cell {index + 1}, {problem}"
                for problem in _plot_calls_without_safe_colour(code)
            ]
    assert offenders == [], (
        "plots drawn in matplotlib's default colours or in a colour outside the palette "
        "(use nnlib.plots.PALETTE with a marker or line style):\n" + "\n".join(offenders)
    )


def test_colour_check_catches_default_and_unsafe_colours():
    assert _plot_calls_without_safe_colour("ax.plot(x, y, color=PALETTE[0])") == []
    assert _plot_calls_without_safe_colour("plt.axhline(0.5, color='grey')") == []
    assert len(_plot_calls_without_safe_colour("ax.plot(x, y)")) == 1
    assert len(_plot_calls_without_safe_colour("axes[1].scatter(x, y, c='red')")) == 1
    assert _plot_calls_without_safe_colour("act.step(np.array([1.0]))") == []
