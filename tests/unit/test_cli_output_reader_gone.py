"""A command whose output is piped to a reader that stops early (``history | head -2``,
``grep -m1``) goes on with its work, unprinted: it ended in "Something unexpected stopped the
app (BrokenPipeError)", and a command that writes would have stopped half done."""

from __future__ import annotations

import io
import os

from core.app.cli import Output


def _pipe_without_reader() -> io.TextIOWrapper:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away
    return open(write_end, "w", encoding="utf-8")  # (closed by the test)


def test_saying_more_after_the_reader_went_away_is_quiet_and_the_command_goes_on():
    stream = _pipe_without_reader()
    try:
        out = Output(stream=stream)
        for n in range(3):
            out.say(f"line {n}")  # the first one finds the pipe closed: no exception
        out.result({"done": True})
        # the stream now points at the null device: the last flush at exit cannot fail
        stream.write("more\n")
        stream.flush()
    finally:
        stream.close()


def test_json_output_to_a_closed_pipe_is_quiet_too():
    stream = _pipe_without_reader()
    try:
        Output(as_json=True, stream=stream).result({"runs": list(range(1000))})
    finally:
        stream.close()


def test_an_open_stream_gets_every_line():
    stream = io.StringIO()
    out = Output(stream=stream)
    out.say("one")
    out.say("two")
    assert stream.getvalue() == "one\ntwo\n"


def test_a_usage_mistake_with_json_is_one_json_object():
    """`bill-time --from 2026-13-01 --json` printed nothing (the sentence went to standard
    error only without --json): every command with --json prints one JSON object."""
    import json

    stream = io.StringIO()
    Output(as_json=True, stream=stream).usage("The date is not a date.")
    assert json.loads(stream.getvalue()) == {
        "error": "UsageError",
        "message": "The date is not a date.",
    }
