"""The website builds strictly and has what readers need on every page.

The build (tests/book_site.py) is the README's: ``jupyter-book build --warningiserror
--keep-going`` plus ``--all``, so every page is read again (or the set-up's own build of the
same files, when it left the stamp of such a build: tools/site/build_stamp.py). The tests then
look at the HTML it wrote: every page of _toc.yml exists, no page loads a script or a style
sheet from the internet, chapters offer their notebook for download and link to their
exercises, widget state is stored, exercises are rendered without being executed, and the
reference documents every nnlib module.
"""

from __future__ import annotations

import json
import pkgutil
import re
from pathlib import Path

import pytest
import yaml
from book_site import ROOT, build_site, parsed_page, source_of, toc_files, toc_part
from bs4 import BeautifulSoup
from conftest import not_applicable

import nnlib
from tools.site import assets, build_stamp

# The site's xdist group: one strict build per run for all workers (book_site.py); each module
# is a work unit of its own, which either worker may run (conftest.py, work_unit).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def site() -> Path:
    build = build_site()
    assert build.returncode == 0, (
        "jupyter-book build --warningiserror --keep-going failed; its last lines:\n"
        + build.log[-6000:]
    )
    return build.html


def page(site: Path, entry: str) -> BeautifulSoup:
    path = site / f"{entry}.html"
    assert path.is_file(), f"_toc.yml lists {entry!r} but the site has no {path}"
    return parsed_page(path)


def all_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_book_builds_with_no_warning_and_no_failing_cell():
    build = build_site()
    assert build.returncode == 0, f"the strict build failed:\n{build.log[-6000:]}"
    warnings = [line for line in build.log.splitlines() if re.search(r"WARNING:|ERROR:", line)]
    assert warnings == [], "the build printed warnings:\n" + "\n".join(warnings)


def test_the_site_checked_is_stamped_as_a_strict_build_of_these_files():
    """Whether this run built the site or reused the set-up's build, the site carries the stamp
    of a strict build of every page that matches the repository's files now: the real build
    writes it (tools/site/book_extension.py), and no test changed a file the stamp covers."""
    build = build_site()
    assert build.returncode == 0, f"the strict build failed:\n{build.log[-6000:]}"
    stamp = build.html / build_stamp.STAMP
    assert stamp.is_file(), (
        f"the strict build of every page left no {stamp}: tools/site/book_extension.py must "
        "connect tools/site/build_stamp.py's hooks")
    assert build_stamp.reusable(build.html) is not None, (
        f"{stamp} does not match the repository's files and packages now: a file changed after "
        "the build (git status shows which). A test must not write into the repository; if you "
        "edited a file while the tests ran, run them again")


def test_every_file_of_the_toc_is_a_page_of_the_site(site):
    for entry in toc_files():
        source_of(entry)  # raises with a clear message when the source is missing
        assert (site / f"{entry}.html").is_file(), f"{entry} is in _toc.yml but was not built"
    assert (site / "index.html").is_file(), "the site has no index.html"


def test_no_page_loads_a_script_or_style_sheet_from_the_internet(site):
    remote = re.compile(r"^(https?:)?//", re.IGNORECASE)
    offenders = []
    for path in all_pages(site):
        soup = parsed_page(path)
        for tag in soup.find_all("script", src=True):
            if remote.match(tag["src"]):
                offenders.append(f"{path.relative_to(site)}: <script src={tag['src']}>")
        for tag in soup.find_all("link", href=True):
            rel = " ".join(tag.get("rel", []))
            if remote.match(tag["href"]) and (
                {"stylesheet", "preload", "modulepreload"} & set(rel.split())
            ):
                offenders.append(f"{path.relative_to(site)}: <link rel={rel} href={tag['href']}>")
    assert offenders == [], "pages that need the internet to render:\n" + "\n".join(offenders)


def test_config_points_mathjax_and_widgets_at_the_sites_own_copies(site):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert config["mathjax_path"] == assets.MATHJAX_URL
    assert tuple(config["nb_ipywidgets_js"]) == assets.WIDGET_SCRIPT_URLS
    for url in (assets.MATHJAX_URL, *assets.WIDGET_SCRIPT_URLS):
        served = site / "_static" / url
        assert served.is_file() and served.stat().st_size > 0, f"the site lacks {served}"


@pytest.mark.parametrize("chapter", toc_part("Chapters"))
def test_chapter_offers_its_notebook_for_download(site, chapter):
    soup = page(site, chapter)
    button = soup.find(attrs={"data-bs-title": ".ipynb"}) or soup.find(
        "a", href=re.compile(r"_sources/.*\.ipynb$")
    )
    assert button is not None, f"{chapter} has no .ipynb download button"
    link = button if button.name == "a" else button.find_parent("a") or button
    href = link.get("href") or link.get("onclick", "")
    target = re.search(r"[^'\"]*_sources/[^'\"]*\.ipynb", href)
    assert target, f"{chapter}: the download button points nowhere useful ({href!r})"
    downloaded = (site / chapter).parent / target.group(0)
    assert downloaded.resolve().is_file(), f"{chapter}: the download target {downloaded} is missing"


@pytest.mark.parametrize("chapter", toc_part("Chapters"))
def test_chapter_links_to_its_exercises_page(site, chapter):
    soup = page(site, chapter)
    exercise_pages = set(toc_part("Exercises"))
    linked = set()
    for a in soup.find_all("a", href=True):
        href = a["href"].split("#")[0]
        if "exercises/" in href and href.endswith(".html"):
            target = ((site / chapter).parent / href).resolve()
            assert target.is_file(), f"{chapter} links to {href}, which the site does not have"
            linked.add(target.relative_to(site.resolve()).with_suffix("").as_posix())
    assert linked & exercise_pages, (
        f"{chapter} has no link to a page of the Exercises part ({sorted(exercise_pages)})"
        f"; CONTRIBUTING.md says how to write it"
    )


@pytest.mark.parametrize("chapter", toc_part("Chapters"))
def test_chapter_widgets_have_their_state_stored_in_the_page(site, chapter):
    soup = page(site, chapter)
    views = [json.loads(tag.string) for tag in soup.find_all("script", type=WIDGET_VIEW)]
    if "nnlib.widgets" not in source_of(chapter).read_text(encoding="utf-8") and not views:
        not_applicable(f"{chapter} shows no widget")
    assert views, f"{chapter} uses nnlib.widgets but its page shows no widget"
    states = soup.find_all("script", type=WIDGET_STATE)
    assert len(states) == 1, f"{chapter}: expected one stored widget state, found {len(states)}"
    state = json.loads(states[0].string)["state"]
    missing = [view["model_id"] for view in views if view["model_id"] not in state]
    assert missing == [], f"{chapter}: widgets shown without stored state: {missing}"
    scripts = [tag["src"].split("?")[0] for tag in soup.find_all("script", src=True)]
    for url in assets.WIDGET_SCRIPT_URLS:
        assert any(src.endswith(f"_static/{url}") for src in scripts), (
            f"{chapter} does not load {url}, so its widgets cannot render"
        )


@pytest.mark.parametrize("exercise", toc_part("Exercises"))
def test_exercise_notebook_is_rendered_without_being_executed(site, exercise):
    assert exercise.startswith("exercises/"), f"{exercise} is not a released exercise notebook"
    soup = page(site, exercise)
    assert soup.find(class_="cell_input") is not None, f"{exercise} shows no code cell"
    outputs = soup.find_all(class_="cell_output")
    assert outputs == [], f"{exercise} was executed: it shows {len(outputs)} cell outputs"


def test_reference_page_documents_every_public_nnlib_module(site):
    public = sorted(
        info.name
        for info in pkgutil.walk_packages(nnlib.__path__, prefix="nnlib.")
        if not any(part.startswith("_") for part in info.name.split("."))
    )
    source = (ROOT / "book" / "reference.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\.\. automodule:: (\S+)", source, flags=re.MULTILINE)
    assert sorted(set(documented)) == public, (
        f"book/reference.md must have one automodule per public nnlib module; "
        f"missing {sorted(set(public) - set(documented))}, "
        f"unknown {sorted(set(documented) - set(public))}"
    )
    soup = page(site, "book/reference")
    for name in public:
        assert soup.find(id=f"module-{name}") is not None, f"the reference page lacks {name}"
    for kind in ("function", "class"):
        assert soup.find("dl", class_=f"py {kind}") is not None, f"the reference shows no {kind}"
    assert ".. py:module::" not in soup.get_text(), "autodoc's reST was shown as text"
