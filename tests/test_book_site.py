"""tests/book_site.py builds the site once per test run, also across pytest-xdist workers.

The build itself is replaced by a stub that counts its calls (the real one takes minutes and is
tested by tests/test_book_build.py): within one run (one PYTEST_XDIST_TESTRUNUID) only the first
caller builds, the others get its result; a new run builds again.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import book_site


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
