"""tests/book_site.py builds the site once per test run, also across pytest-xdist workers.

The build itself is replaced by a stub that counts its calls (the real one takes minutes and is
tested by tests/test_book_build.py): within one run (one PYTEST_XDIST_TESTRUNUID) only the first
caller builds, the others get its result; a new run builds again. A site that carries the stamp
of a strict build of these very files is not built at all (tools/site/build_stamp.py): only a
clean strict build of every page earns the stamp, and any change to the files makes it stale.
"""

from __future__ import annotations

import multiprocessing
import subprocess
from pathlib import Path
from types import SimpleNamespace

import book_site

from tools.site import build_stamp


def fake_build(calls: list):
    def build(output: Path) -> book_site.SiteBuild:
        calls.append(output)
        return book_site.SiteBuild(output / "_build" / "html", 0, f"build {len(calls)}")

    return build


def test_one_build_per_run_shared_through_the_lock(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(book_site, "_build", fake_build(calls))
    monkeypatch.setenv("BOOK_PATH_OUTPUT", str(tmp_path))
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "run-1")
    first = book_site.build_site.__wrapped__()  # without the per-process cache
    second = book_site.build_site.__wrapped__()
    assert len(calls) == 1, "a second worker of the same run built the site again"
    assert first == second == book_site.SiteBuild(tmp_path / "_build" / "html", 0, "build 1")
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "run-2")
    assert book_site.build_site.__wrapped__().log == "build 2"
    assert len(calls) == 2, "a new test run must build the site again"


def test_without_xdist_every_process_builds_once(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(book_site, "_build", fake_build(calls))
    monkeypatch.setenv("BOOK_PATH_OUTPUT", str(tmp_path))
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    book_site.build_site.__wrapped__()
    assert len(calls) == 1 and not (tmp_path / "_build" / ".tests-site-build.json").exists()


def _worker(output: str, queue) -> None:
    import os
    import time

    os.environ["BOOK_PATH_OUTPUT"] = output
    os.environ["PYTEST_XDIST_TESTRUNUID"] = "run-parallel"

    def slow_build(path: Path) -> book_site.SiteBuild:
        time.sleep(1.0)  # the other worker arrives while this one builds
        return book_site.SiteBuild(path / "_build" / "html", 0, f"built by {os.getpid()}")

    book_site._build = slow_build
    queue.put(book_site.build_site().log)


def test_two_processes_at_once_share_one_build(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_worker, args=(str(tmp_path), queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    logs = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert logs[0] == logs[1], f"each process built the site: {logs}"


# ------------------------------------------------------------------ reusing a stamped strict build


def fake_app(outdir: Path, *, strict: bool = True, warnings: int = 0, builder: str = "html"):
    """What tools/site/build_stamp.py reads of Sphinx's application object."""
    return SimpleNamespace(outdir=str(outdir), warningiserror=False, keep_going=strict,
                           _warncount=warnings, builder=SimpleNamespace(name=builder))


def stamped_after(tmp_path: Path, monkeypatch, *, read: set[str] | None = None,
                  exception: Exception | None = None, **app_settings) -> bool:
    """Run the stamp's three Sphinx hooks as a build of the pages a, b and c would (reading
    ``read``, all of them by default); True if the build left a stamp."""
    monkeypatch.setattr(build_stamp, "fingerprint", lambda root=None: "files-now")
    outdir = tmp_path / "html"
    outdir.mkdir(exist_ok=True)
    (outdir / build_stamp.STAMP).write_text('{"fingerprint": "files-now"}')  # an earlier one
    app = fake_app(outdir, **app_settings)
    build_stamp.forget(app, None)
    assert not (outdir / build_stamp.STAMP).exists(), "a build must remove the old stamp first"
    env = SimpleNamespace(found_docs={"a", "b", "c"})
    build_stamp.note_pages_read(app, env, sorted(read if read is not None else env.found_docs))
    build_stamp.write(app, exception)
    return (outdir / build_stamp.STAMP).is_file()


def test_only_a_strict_build_of_every_page_with_no_warning_is_stamped(tmp_path, monkeypatch):
    assert stamped_after(tmp_path, monkeypatch), "a clean strict build of every page: stamped"
    for why, settings in [("a warning", {"warnings": 1}),
                          ("not strict (no --warningiserror)", {"strict": False}),
                          ("only the pages that changed were read", {"read": {"a", "b"}}),
                          ("the build raised", {"exception": RuntimeError("broken")}),
                          ("not the HTML builder", {"builder": "latex"})]:
        assert not stamped_after(tmp_path, monkeypatch, **settings), f"stamped with {why}"


def test_a_stamped_site_is_checked_again_without_a_build_until_a_file_changes(
        monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(book_site, "_build", fake_build(calls))
    monkeypatch.setenv("BOOK_PATH_OUTPUT", str(tmp_path))
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    html = tmp_path / "_build" / "html"
    html.mkdir(parents=True)
    (html / build_stamp.STAMP).write_text(
        '{"fingerprint": "files-then", "finished": "2026-12-02 16:00:00 +0000"}')
    monkeypatch.setattr(build_stamp, "fingerprint", lambda root=None: "files-then")
    reused = book_site.build_site.__wrapped__()
    assert calls == [], "the stamped site was built again although nothing changed"
    assert reused.returncode == 0 and reused.html == html and "not built again" in reused.log
    monkeypatch.setattr(build_stamp, "fingerprint", lambda root=None: "files-now")
    assert book_site.build_site.__wrapped__().log == "build 1" and len(calls) == 1, (
        "a file changed since the stamped build, so the tests must build the site again")


def test_fingerprint_follows_every_file_git_would_track_and_no_ignored_one(tmp_path):
    assert build_stamp.fingerprint(tmp_path) is None, "no git work tree: nothing may be reused"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("_build/\n")
    (tmp_path / "page.md").write_text("# A page\n")
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "book"], cwd=tmp_path, check=True)
    before = build_stamp.fingerprint(tmp_path)
    assert before is not None and before == build_stamp.fingerprint(tmp_path)
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "page.html").write_text("<h1>A page</h1>")
    assert build_stamp.fingerprint(tmp_path) == before, "an ignored file changed the fingerprint"
    (tmp_path / "page.md").write_text("# A page, edited\n")
    assert build_stamp.fingerprint(tmp_path) != before, "an edited tracked file went unnoticed"
    (tmp_path / "page.md").write_text("# A page\n")
    (tmp_path / "new.md").write_text("# New\n")
    assert build_stamp.fingerprint(tmp_path) != before, "a new untracked file went unnoticed"
    (tmp_path / "new.md").unlink()
    (tmp_path / "page.md").unlink()
    assert build_stamp.fingerprint(tmp_path) != before, "a deleted tracked file went unnoticed"
