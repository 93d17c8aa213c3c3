"""tools/site/assets.py: the site's JavaScript comes from node_modules at the pinned versions."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import require

from tools.site import assets


def test_copy_without_npm_ci_stops_with_a_message_that_says_what_to_run(tmp_path):
    shutil.copy(assets.ROOT / "package-lock.json", tmp_path / "package-lock.json")
    with pytest.raises(assets.AssetsMissing, match="npm ci") as error:
        assets.copy_assets(tmp_path / "web_assets", root=tmp_path)
    for name in assets.ASSETS:
        assert name in str(error.value)
    assert not (tmp_path / "web_assets" / "vendor").exists()


def test_copy_refuses_a_version_other_than_the_pinned_one(tmp_path):
    shutil.copy(assets.ROOT / "package-lock.json", tmp_path / "package-lock.json")
    pinned = assets.locked_versions(tmp_path)
    for name, version in pinned.items():
        package = tmp_path / "node_modules" / name
        package.mkdir(parents=True)
        wrong = version if name != "mathjax" else "2.7.9"
        (package / "package.json").write_text(json.dumps({"version": wrong}), encoding="utf-8")
    with pytest.raises(assets.AssetsMissing, match=r"mathjax: package-lock.json pins 3\.2\.2"):
        assets.copy_assets(tmp_path / "web_assets", root=tmp_path)


def test_lock_pins_the_versions_package_json_asks_for():
    wanted = json.loads((assets.ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert assets.locked_versions() == wanted


def test_copy_puts_each_script_where_the_config_points(tmp_path):
    require((assets.NODE_MODULES / "mathjax").is_dir(), "node_modules is missing: run npm ci")
    assets.copy_assets(tmp_path)
    for url in (assets.MATHJAX_URL, *assets.WIDGET_SCRIPT_URLS):
        assert (tmp_path / url).is_file(), f"{url} was not copied"
    # MathJax loads its fonts relative to itself; the widget manager its icon fonts.
    assert list((tmp_path / "vendor/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    assert list((tmp_path / "vendor/@jupyter-widgets/html-manager/dist").glob("*.woff2"))
    assert not list(tmp_path.rglob("*.map")), "source maps are not needed on the site"


def test_command_line_usage_error_exits_2(capsys):
    assert assets.main(["a", "b"]) == 2
    assert "usage" in capsys.readouterr().err
