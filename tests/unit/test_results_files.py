"""bench-results.json / soak-results.json: every figure stamped with its test, commit, date
and machine; a partial run merges by source; a failed figure stays as a miss."""

from __future__ import annotations

import json

from tests import figures

MACHINE = {"cores": 2, "cpu": "Test CPU", "ram_gb": 8.0, "python": "3.11.7", "os": "Linux"}
RUN1 = {"commit": "aaaa", "date": "2026-12-01 10:00 UTC", "machine": MACHINE}
RUN2 = {"commit": "bbbb", "date": "2026-12-02 10:00 UTC", "machine": MACHINE}


def row(name, value, source, meets=True):
    return {
        "name": name,
        "value": value,
        "unit": "s",
        "target": "<= 1",
        "meets": meets,
        "source": source,
    }


def first_run():
    return figures.merge(
        {},
        [
            row("a1", 0.5, "t::a"),
            row("a2", 0.6, "t::a"),
            row("b1", 0.7, "t::b"),
            row("c1", 0.8, "t::c"),
        ],
        {"t::a": None, "t::b": None, "t::c": None},
        run=RUN1,
    )


def names(data):
    return [r["name"] for r in data["figures"]]


def test_every_figure_carries_its_source_commit_date_and_machine():
    data = first_run()
    assert names(data) == ["a1", "a2", "b1", "c1"]
    for r in data["figures"]:
        assert r["commit"] == "aaaa" and r["date"] == RUN1["date"]
        assert data["machines"][r["machine"]] == MACHINE
    assert data["figures"][0]["source"] == "t::a"


def test_a_partial_run_replaces_only_the_figures_of_the_tests_it_ran_in_place():
    data = figures.merge(first_run(), [row("b1", 0.9, "t::b")], {"t::b": None}, run=RUN2)
    assert names(data) == ["a1", "a2", "b1", "c1"]  # the order kept
    by = {r["name"]: r for r in data["figures"]}
    assert by["b1"]["value"] == 0.9 and by["b1"]["commit"] == "bbbb"
    assert by["a1"]["value"] == 0.5 and by["a1"]["commit"] == "aaaa"  # not erased, not restamped
    assert by["c1"]["date"] == RUN1["date"]


def test_a_failed_test_leaves_its_figures_as_misses():
    data = figures.merge(
        first_run(), [row("a1", 0.4, "t::a")], {"t::a": "call failed: boom"}, run=RUN2
    )
    by = {r["name"]: r for r in data["figures"]}
    assert by["a1"]["value"] == 0.4  # measured before it failed
    assert by["a2"]["value"] is None and by["a2"]["meets"] is False
    assert "not measured: call failed: boom" in by["a2"]["note"]
    assert by["a2"]["target"] == "<= 1" and by["a2"]["commit"] == "bbbb"
    assert names(data) == ["a1", "a2", "b1", "c1"]


def test_a_failed_test_with_no_figure_yet_shows_a_miss():
    data = figures.merge({}, [], {"t::new": "setup failed: no data"}, run=RUN1)
    assert data["figures"][0]["name"] == "t::new: no figure"
    assert data["figures"][0]["meets"] is False


def test_a_new_test_comes_after_the_others_in_the_order_measured():
    data = figures.merge(
        first_run(),
        [row("d2", 1, "t::d"), row("d1", 2, "t::d"), row("c1", 3, "t::c")],
        {"t::d": None, "t::c": None},
        run=RUN2,
    )
    assert names(data) == ["a1", "a2", "b1", "c1", "d2", "d1"]


def test_a_parametrized_family_replaces_the_rows_of_its_members():
    old = figures.merge({}, [], {"t::f[1]": "call failed: x"}, run=RUN1)
    data = figures.merge(old, [row("f", "2/2", "t::f")], {"t::f": None}, run=RUN2)
    assert names(data) == ["f"]


def test_a_full_run_drops_the_figures_of_tests_that_are_gone():
    old = {"figures": [*first_run()["figures"], {"name": "legacy", "value": 1, "meets": True}]}
    partial = figures.merge(old, [row("a1", 1, "t::a")], {"t::a": None}, run=RUN2)
    assert "legacy" in names(partial)  # a partial run keeps it
    full = figures.merge(
        old,
        [row("a1", 1, "t::a")],
        {"t::a": None},
        run=RUN2,
        full=True,
        collected=["t::a", "t::b"],  # t::c no longer exists; t::b was skipped
    )
    assert names(full) == ["a1", "b1"]


def test_the_file_round_trips_and_reads_an_older_list(tmp_path, monkeypatch):
    path = tmp_path / "bench-results.json"
    path.write_text(json.dumps([{"name": "old", "value": 1, "meets": True}]), encoding="utf-8")
    monkeypatch.setattr(figures, "commit", lambda root=None: "cccc")
    monkeypatch.delenv("XQB_RESULTS_FULL", raising=False)
    data = figures.write(path, [row("x", 1.5, "t::x")], {"t::x": None}, about="test")
    assert names(data) == ["old", "x"]
    assert json.loads(path.read_text(encoding="utf-8")) == data
    info = figures.machine()
    assert info["cores"] and info["python"] and info["os"] and "cpu" in info and "ram_gb" in info
    assert data["figures"][1]["commit"] == "cccc"
