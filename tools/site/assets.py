"""The website's own copies of RequireJS, the Jupyter widgets HTML manager and MathJax.

The book's pages must render math and widgets with no internet (a school network that blocks
CDNs, a train). So the site serves these scripts itself. They are pinned in the root
``package.json`` / ``package-lock.json`` and fetched with ``npm ci``; this module copies the
files the site needs from ``node_modules/`` into ``web_assets/vendor/`` (git-ignored).
``_config.yml`` lists ``web_assets`` in ``html_static_path``, so Sphinx publishes them under
``_build/html/_static/vendor/``, where ``mathjax_path`` and ``nb_ipywidgets_js`` point.

It runs by itself: the book's Sphinx extension (tools/site/book_extension.py) copies the assets when
the build starts, and stops the build with a clear message when ``npm ci`` has not been run.
``python -m tools.site.assets`` does the same copy by hand.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
STAGING = ROOT / "web_assets"
VENDOR = "vendor"

# npm package -> (what to copy from it, where it goes under web_assets/vendor/)
ASSETS: dict[str, list[tuple[str, str]]] = {
    "requirejs": [("require.js", "require.js")],
    # Keeps the npm layout: its AMD modules are named "@jupyter-widgets/html-manager/dist/...",
    # and require_config.js makes RequireJS resolve those names (and the icon fonts the
    # manager's CSS loads next to them) inside vendor/.
    "@jupyter-widgets/html-manager": [("dist", "@jupyter-widgets/html-manager/dist")],
    # tex-mml-chtml.js loads its fonts and extensions relative to itself.
    "mathjax": [("es5", "mathjax")],
}
SKIP_SUFFIXES = (".map",)
# Python package -> (file in its installed folder, where it goes under web_assets/vendor/).
# anywidget's wheel ships an AMD build of its front end; the widgets of nnlib/widgets/live.py
# need it on the website, where require_config.js maps the module name "anywidget" to it.
PYTHON_ASSETS: dict[str, list[tuple[str, str]]] = {
    "anywidget": [("nbextension/index.js", "anywidget/index.js")],
}
# Our own script, copied beside require.js: sets RequireJS's baseUrl to vendor/.
REQUIRE_CONFIG = Path(__file__).resolve().parent / "require_config.js"

# URLs of the copies, relative to the site's _static/ folder (what Sphinx settings expect).
REQUIREJS_URL = f"{VENDOR}/require.js"
REQUIRE_CONFIG_URL = f"{VENDOR}/require_config.js"
WIDGETS_URL = f"{VENDOR}/@jupyter-widgets/html-manager/dist/embed-amd.js"
MATHJAX_URL = f"{VENDOR}/mathjax/tex-mml-chtml.js"
# The scripts a page with widgets loads, in order (_config.yml: nb_ipywidgets_js).
WIDGET_SCRIPT_URLS = (REQUIREJS_URL, REQUIRE_CONFIG_URL, WIDGETS_URL)


class AssetsMissing(RuntimeError):
    """node_modules/ lacks a pinned package: ``npm ci`` has not been run (or failed)."""


def locked_versions(root: Path = ROOT) -> dict[str, str]:
    """Return {package: version} for the packages in ASSETS, as pinned in package-lock.json."""
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    return {name: packages[f"node_modules/{name}"]["version"] for name in ASSETS}


def _installed_version(package_dir: Path) -> str | None:
    manifest = package_dir / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def check_installed(root: Path = ROOT) -> None:
    """Raise AssetsMissing unless node_modules/ holds the versions that package-lock.json pins."""
    problems = []
    for name, version in locked_versions(root).items():
        got = _installed_version(root / "node_modules" / name)
        if got != version:
            problems.append(f"{name}: package-lock.json pins {version}, node_modules has {got}")
    if problems:
        raise AssetsMissing(
            "The site's JavaScript (MathJax, RequireJS, the widget manager) is not installed as "
            "pinned:\n  " + "\n  ".join(problems) + "\nRun `npm ci` in the repository root, then "
            "build again."
        )


def _python_package_folder(package: str) -> Path:
    """The installed folder of a Python package (from requirements.txt), or AssetsMissing."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise AssetsMissing(
            f"The Python package {package} is not installed; the site serves its JavaScript. "
            "Run `pip install -r requirements.txt`, then build again."
        )
    return Path(spec.origin).parent


def copy_assets(dest: Path = STAGING, root: Path = ROOT) -> list[Path]:
    """Copy the pinned assets from root/node_modules into dest/vendor; return the top paths.

    dest/vendor is replaced whole, so a file dropped from a package does not linger.
    """
    check_installed(root)
    vendor = dest / VENDOR
    if vendor.exists():
        shutil.rmtree(vendor)
    vendor.mkdir(parents=True)
    ignore = shutil.ignore_patterns(*(f"*{suffix}" for suffix in SKIP_SUFFIXES))
    copied = []
    for name, items in ASSETS.items():
        for source, target in items:
            src = root / "node_modules" / name / source
            out = vendor / target
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, out, ignore=ignore)
            else:
                shutil.copy2(src, out)
            copied.append(out)
    for package, items in PYTHON_ASSETS.items():
        folder = _python_package_folder(package)
        for source, target in items:
            out = vendor / target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / source, out)
            copied.append(out)
    shutil.copy2(REQUIRE_CONFIG, vendor / REQUIRE_CONFIG.name)
    copied.append(vendor / REQUIRE_CONFIG.name)
    return copied


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.site.assets [DEST]``: copy the assets into DEST/vendor (default
    web_assets)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m tools.site.assets [DEST]   (default DEST: web_assets)",
              file=sys.stderr)
        return 2
    dest = Path(args[0]) if args else STAGING
    try:
        copied = copy_assets(dest)
    except AssetsMissing as error:
        print(error, file=sys.stderr)
        return 1
    for path in copied:
        print(f"copied {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
