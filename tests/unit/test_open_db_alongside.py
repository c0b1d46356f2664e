"""The window's start opens the database on a thread of its own while it loads the window's
modules (issue 16): the two overlap, both are done before the window is built, and an error
of the opening is raised to the start as before (which then says it, or offers a remedy)."""

from __future__ import annotations

import threading

import pytest

import main
from core.errors import DatabaseReadOnly
from core.store import db as core_db
from core.store.paths import AppPaths


class _Ctx:
    def __init__(self, opened: threading.Event, loading: threading.Event) -> None:
        self.opened, self.loading = opened, loading
        self.thread: str | None = None

    def open_db(self) -> None:
        self.thread = threading.current_thread().name
        # The window's modules are loading meanwhile (sequential, this would time out).
        assert self.loading.wait(10)
        self.opened.set()


def test_the_database_opens_while_the_window_s_modules_load():
    opened, loading = threading.Event(), threading.Event()
    ctx = _Ctx(opened, loading)
    seen: list[bool] = []

    def load() -> None:
        loading.set()
        seen.append(opened.wait(10))  # the opening goes on meanwhile, on its own thread

    main.open_db_while_the_window_loads(ctx, load)
    assert seen == [True] and opened.is_set()
    assert ctx.thread == "open-database"


def test_an_error_of_the_opening_is_raised_to_the_start_after_the_loading():
    loaded: list[bool] = []

    class Failing:
        def open_db(self) -> None:
            raise DatabaseReadOnly(detail="attempt to write a readonly database", path="x")

    with pytest.raises(DatabaseReadOnly):
        main.open_db_while_the_window_loads(Failing(), lambda: loaded.append(True))
    assert loaded == [True]


def test_the_real_database_opened_alongside_is_usable_from_the_window_s_thread(
    tmp_path, monkeypatch
):
    """The app's own database, created on the opening thread: this thread reads it (its own
    connection), and the opening thread left none open."""
    monkeypatch.setenv("XQB_HOME", str(tmp_path))
    monkeypatch.setenv("XQB_XERO_CLIENT_ID", "alongside-test")
    from core.app.context import AppContext
    from core.store.models import Connection, db
    from core.store.secrets import TokenStore

    ctx = AppContext.create(
        demo=False, paths=AppPaths.default().ensure(), tokens=TokenStore(lazy=True)
    )
    try:
        main.open_db_while_the_window_loads(ctx, lambda: None)
        assert Connection.select().count() == 0  # schema made; read from this thread
        assert core_db.app_database_files(ctx.paths)[0].exists()
        assert not db.is_closed()  # this thread's own connection
    finally:
        ctx.close()
