"""The review as CSV for an accountant: export, and the strict import of the answers.

The export is never half written (a temporary file moved in place) and guards cells a
spreadsheet would run as formulas. The import refuses a file cut short or damaged, and
applies the valid lines as ONE transaction and ONE undo step; the others are reported by
line number with the reason.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.engine.matching import Candidate, Conflict, describe_problem, describe_reason
from core.engine.names import look_alike_key
from core.engine.review.decisions import LINK_ACTIONS, RESTORE_LINK, can_rename, prepare
from core.engine.review.errors import (
    ReviewError,
    ReviewFileNotWritten,
    ReviewFileTruncated,
    ReviewFileUnreadable,
    UnknownDecision,
)
from core.engine.review.rows import ReviewRow, conn_id, review_rows
from core.engine.review.undo_stack import fields_for_new, record_step, same, saving
from core.files import not_a_file, read_at_most
from core.i18n import tr
from core.store.models import Connection

#: how many candidates the CSV shows per conflict
CSV_CANDIDATES = 3


CSV_COLUMNS: tuple[str, ...] = (
    "kind",
    "xero_id",
    "xero_name",
    "problem",
    "reason",
    *(
        f"candidate_{n}_{part}"
        for n in range(1, CSV_CANDIDATES + 1)
        for part in ("id", "name", "score", "reason")
    ),
    "decision",
    "target_qbt_id",
    "new_name",
    "note",
    "state",
    "fingerprint",
)
_REQUIRED = ("kind", "xero_id", "decision", "fingerprint")
#: characters that make a spreadsheet read a cell as a formula (OWASP), and our own escape
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

_DECISION_WORDS = {
    "link": "link",
    "lier": "link",
    "associer": "link",
    "restore and link": RESTORE_LINK,
    "restore link": RESTORE_LINK,
    "restore": RESTORE_LINK,
    "restaurer et lier": RESTORE_LINK,
    "restaurer": RESTORE_LINK,
    "create": "create",
    "create new": "create",
    "new": "create",
    "keep separate": "create",
    "creer": "create",
    "creer nouveau": "create",
    "nouveau": "create",
    "skip": "skip",
    "ignore": "skip",
    "ignorer": "skip",
    "never import": "skip",
    "ne jamais importer": "skip",
    "rename": "rename",
    "renommer": "rename",
    "later": "later",
    "decide later": "later",
    "plus tard": "later",
    "decider plus tard": "later",
    "ask me next time": "later",
    "me demander la prochaine fois": "later",
    "me le redemander": "later",
}


#: a separator a spreadsheet may split a line on, then what would start a formula there. A
#: spreadsheet set to ";" (French locales) opening a "," file splits "Acme;=2+5" into a cell
#: "=2+5": inside a cell, an apostrophe goes between them too (and comes out on import).
_INNER_FORMULA = re.compile("([,;\t])(?=[=+\\-@\r'])")
_INNER_GUARDED = re.compile("([,;\t])'(?=[=+\\-@\r'])")


def _guard(value: Any) -> str:
    text = "" if value is None else str(value)
    text = _INNER_FORMULA.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unguard(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        text = text[1:]
    return _INNER_GUARDED.sub(r"\1", text)


def _decision_word(cell: str) -> str | None:
    text = unicodedata.normalize("NFKD", cell.strip().casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(re.sub(r"[_\-]+", " ", text).split())
    return _DECISION_WORDS.get(text)


def _candidate_cells(cand: Candidate | None) -> list[Any]:
    if cand is None:
        return ["", "", "", ""]
    reason = describe_reason(cand.reason_code, score=cand.score)
    if cand.linked_xero_id:  # (the review screen says the same; a link to it is refused)
        reason = tr("{reason}; already linked to another Xero record", reason=reason)
    return [cand.qbt_id, _guard(cand.name), round(cand.score), _guard(reason)]


def _conflict_line(row: ReviewRow) -> list[Any]:
    c = row.conflict
    cands: list[Candidate | None] = list(c.candidates[:CSV_CANDIDATES])
    cands += [None] * (CSV_CANDIDATES - len(cands))
    d = row.decision
    current = d is not None and not row.stale
    return [
        _guard(c.kind),
        _guard(c.xero_id),
        _guard(c.xero_name),
        c.problem,
        _guard(describe_problem(c)),
        *(cell for cand in cands for cell in _candidate_cells(cand)),
        d.action if current and d else "",
        d.target_qbt_id if current and d and d.target_qbt_id is not None else "",
        _guard(d.new_name) if current and d and d.new_name else "",
        _guard(d.note) if d else "",
        row.state,
        c.fingerprint,
    ]


def _unmatched_line(kind: str, xero_id: str, name: str) -> list[Any]:
    blanks = [""] * (4 * CSV_CANDIDATES)
    return [
        _guard(kind),
        _guard(xero_id),
        _guard(name),
        "no_match",
        _guard(tr("No matching record in QuickBooks Time: it will be created.")),
        *blanks,
        "",
        "",
        "",
        "",
        "",
        "",
    ]


def export_csv(
    conn: Connection | int,
    rows: Sequence[ReviewRow],
    path: str | os.PathLike[str],
    *,
    unmatched: Sequence[tuple[str, str, str]] = (),
    delimiter: str = ",",
) -> Path:
    """Write the review as CSV for an accountant (UTF-8 with BOM, so Excel shows accents).

    One line per conflict (then one per unmatched record), columns :data:`CSV_COLUMNS`
    (English machine names); ``reason`` texts are in the current language. A re-opened
    decision is exported with an empty ``decision`` (state ``reopened``): it must be answered
    again. Cells a spreadsheet would run as a formula get a leading apostrophe. The file is
    written to a temporary name first, then moved in place: never half written.
    """
    del conn  # rows carry everything; kept for a uniform interface
    if delimiter not in (",", ";", "\t"):
        raise ValueError(f"unsupported delimiter {delimiter!r}")
    target = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(_conflict_line(row))
    for kind, xero_id, name in unmatched:
        writer.writerow(_unmatched_line(kind, xero_id, name))
    data = buffer.getvalue().encode("utf-8-sig")
    # The file is moved into place, which would replace a device or a pipe (e.g. /dev/full,
    # run as root) with a plain file: only a plain file, or a new one, may be the target.
    if (target.exists() or target.is_symlink()) and not target.is_file():
        raise ReviewFileNotWritten(
            detail="not a regular file", path=str(target), reason=tr("it is not a regular file")
        )
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=".review-", suffix=".csv.tmp", dir=target.parent if str(target.parent) else "."
        )
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise ReviewFileNotWritten(
            detail=str(exc), path=str(target), reason=exc.strerror or type(exc).__name__
        ) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return target


@dataclass(frozen=True)
class RowProblem:
    """A line of an imported file that was not applied, and why (in the current language)."""

    line: int
    xero_id: str
    reason: str
    #: stable machine code: not_a_conflict, duplicate, changed, unknown_decision, bad_target,
    #: target_missing, target_unknown, target_taken, name_missing, name_too_long, ...
    code: str = ""


@dataclass
class ImportReport:
    """What an import did: ``applied`` lines changed a decision; ``unchanged`` lines had no
    decision or the one already saved; ``problems`` lines were not applied (by line number)."""

    applied: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def _unreadable(path: Path, reason: str, detail: str = "") -> ReviewFileUnreadable:
    return ReviewFileUnreadable(detail=detail, path=str(path), reason=reason)


def _truncated(path: Path, line: int, reason: str, detail: str = "") -> ReviewFileTruncated:
    return ReviewFileTruncated(detail=detail, path=str(path), line=line, reason=reason)


_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_SEP_HINT = re.compile(r"^\s*sep=([,;\t|])\s*$", re.IGNORECASE)


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    else:
        encodings = ("utf-8", "cp1252")  # Excel on Windows saves "CSV" in the ANSI code page
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable(path, tr("its text encoding is not recognised"), "decode")


#: the largest review file read: the review of 100,000 contacts, every one of them a line
#: with its reason and three suggested matches, is about a tenth of it. A larger file is not
#: a review of this app's (a wrong file chosen) and would be held whole in memory.
MAX_REVIEW_FILE_MB = 64


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or why it is not read: not there, a folder, not a plain file (a
    device or a pipe, which could be endless or wait forever), or too large."""
    try:
        reason = not_a_file(path)
        data = read_at_most(path, MAX_REVIEW_FILE_MB * 1024 * 1024) if reason is None else None
    except OSError as exc:
        raise _unreadable(path, tr("it cannot be opened"), str(exc)) from exc
    if reason is not None:
        raise _unreadable(path, tr(reason), str(reason))
    if data is None:
        too_large = tr(
            "it is larger than {size} MB, far more than a review file holds: check that you "
            "chose the file the review was exported to",
            size=MAX_REVIEW_FILE_MB,
        )
        raise _unreadable(path, too_large, "too large")
    return data


def _read_table(path: Path) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    data = _read_bytes(path)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _unreadable(
            path,
            tr(
                "it is a spreadsheet workbook, not a CSV file (in your "
                'spreadsheet program, save it as "CSV UTF-8")'
            ),
            "workbook",
        )
    text = _decode(path, data)
    if not text.strip():
        raise _unreadable(path, tr("it is empty"))
    if "\x00" in text:
        raise _unreadable(path, tr("it is not a valid CSV file"), "NUL character")
    text = text.lstrip("\ufeff")
    first = next(line for line in text.splitlines() if line.strip())
    hint = _SEP_HINT.match(first)  # Excel's "sep=;" first line
    delimiter = hint.group(1) if hint else max((",", ";", "\t"), key=first.count)
    # strict: a quote left open (a file cut short) is an error, never the rest of the file
    # swallowed into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    width = 0
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if hint is not None:
                hint = None  # the "sep=" line itself
                continue
            if header is None:
                header = cells
                width = max((i + 1 for i, name in enumerate(cells) if name.strip()), default=0)
                continue
            if len(cells) < width:
                raise _truncated(
                    path,
                    start,
                    tr(
                        "the line has {got} of the {want} columns of the header (the file may have "
                        "been cut short)",
                        got=len(cells),
                        want=width,
                    ),
                    "short row",
                )
            if any(cell.strip() for cell in cells[len(header) :]):
                raise _truncated(
                    path,
                    start,
                    tr(
                        "the line has more cells than the header has columns ({got} instead of "
                        "{want}); a cell may contain an unquoted separator",
                        got=len(cells),
                        want=len(header),
                    ),
                    "long row",
                )
            lines.append((start, cells))
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            raise _truncated(
                path,
                previous + 1,
                tr("a quoted cell is never closed (the file may have been cut short)"),
                message,
            ) from exc
        if "expected after" in message:
            raise _truncated(
                path, previous + 1, tr("a quoted cell is followed by other text"), message
            ) from exc
        if "field larger than field limit" in message:
            reason = tr(
                "line {line} has a cell of more than {limit} characters (a note, most "
                "likely): shorten it",
                line=previous + 1,
                limit=csv.field_size_limit(),
            )
            raise _unreadable(path, reason, message) from exc
        raise _unreadable(path, tr("it is not a valid CSV file"), message) from exc
    if lines and header and not text.endswith(("\n", "\r")):
        # the last line has no line break: if its last cell is a fingerprint, it must be whole
        last_name = header[width - 1].strip().casefold() if width else ""
        start, cells = lines[-1]
        if last_name == "fingerprint" and not _FINGERPRINT.match(cells[width - 1].strip().lower()):
            raise _truncated(path, start, tr("the line is cut short"), "cut fingerprint")
    columns: dict[str, int] = {}
    for index, name in enumerate(header or []):
        columns.setdefault(name.strip().strip("\ufeff").casefold().replace(" ", "_"), index)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise _unreadable(
            path, tr("the columns {columns} are missing", columns=", ".join(missing)), "header"
        )
    return columns, lines


_NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")


def _resolve_target(conflict: Conflict, cell: str) -> int | str | None:
    """The link target a cell names: an id, a candidate's name, or "" (best candidate when
    there is only one). A str result is the cell that could not be understood."""
    text = cell.strip()
    if not text:
        return conflict.candidates[0].qbt_id if len(conflict.candidates) == 1 else None
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if _NUMBER.match(compact):
        return int(re.split(r"[.,]", compact)[0])
    by_name = [
        c.qbt_id for c in conflict.candidates if look_alike_key(c.name) == look_alike_key(text)
    ]
    if len(by_name) == 1:
        return by_name[0]
    return text


@dataclass(frozen=True)
class _Line:
    """One line of an imported file, its cells by column name (formula guards removed)."""

    number: int
    kind: str
    xero_id: str
    word: str
    fingerprint: str
    target: str
    new_name: str
    note: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.xero_id)


def _read_lines(path: Path) -> list[_Line]:
    """The lines of the file (ReviewFileUnreadable / ReviewFileTruncated: nothing to apply)."""
    columns, lines = _read_table(path)

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return _unguard(cells[index].strip()) if index is not None and index < len(cells) else ""

    return [
        _Line(
            number,
            cell(cells, "kind"),
            cell(cells, "xero_id"),
            cell(cells, "decision"),
            cell(cells, "fingerprint").lower(),  # (hex: a spreadsheet may capitalise it)
            cell(cells, "target_qbt_id"),
            cell(cells, "new_name"),
            cell(cells, "note"),
        )
        for number, cells in lines
    ]


_Change = tuple[str, str, Mapping[str, Any] | None]


def _validate_lines(
    cid: int, conflicts: Sequence[Conflict], lines: Sequence[_Line], report: ImportReport
) -> list[_Change]:
    """The decisions the lines change, each checked as the review screen checks it, and
    against the other lines of the file; lines that change nothing are counted in
    ``report.unchanged``, lines that cannot be applied are added to ``report.problems``."""
    by_key = {(c.kind, c.xero_id): c for c in conflicts}
    saved = {r.key: r for r in review_rows(cid, conflicts)}
    answered: dict[tuple[str, str], list[int]] = defaultdict(list)
    for line in lines:
        if line.word:
            answered[line.key].append(line.number)
    # records whose saved answer this file replaces: their old links do not block new ones
    rewritten = {key for key in answered if key in by_key}

    changes: list[_Change] = []
    claimed: dict[tuple[str, int], str] = {}
    renamed: dict[tuple[str, str], str] = {}
    for line in lines:

        def problem(reason: str, code: str, _line: _Line = line) -> None:
            report.problems.append(RowProblem(_line.number, _line.xero_id, reason, code))

        kind, xero_id = line.key
        if not line.word:
            report.unchanged += 1
            continue
        conflict = by_key.get(line.key)
        if conflict is None:
            problem(
                tr(
                    "This record is not waiting for a decision (it is not, or no longer, a "
                    "conflict); the line was ignored."
                ),
                "not_a_conflict",
            )
            continue
        if len(answered[line.key]) > 1:
            problem(
                tr(
                    "This record has a decision on several lines ({lines}); keep only one of them.",
                    lines=", ".join(map(str, answered[line.key])),
                ),
                "duplicate",
            )
            continue
        action = _decision_word(line.word)
        if action is None:
            problem(UnknownDecision(word=line.word).user_message(), UnknownDecision.code)
            continue
        if line.fingerprint != conflict.fingerprint:
            problem(
                tr(
                    "This record changed in Xero or QuickBooks Time since the export; decide "
                    "it again on the review screen, or export a new file."
                ),
                "changed",
            )
            continue
        if action == "create" and line.new_name.strip() and can_rename(kind):
            action = "rename"  # "create new" with a name given: create it under that name
        target: int | str | None = None
        if action in LINK_ACTIONS:
            target = _resolve_target(conflict, line.target)
            if isinstance(target, str):
                problem(
                    tr(
                        '"{target}" is neither one of the suggested matches nor a '
                        "QuickBooks Time record number.",
                        target=target,
                    ),
                    "bad_target",
                )
                continue
        try:
            fields = prepare(
                cid,
                conflict,
                action,
                target,
                line.new_name,
                line.note,
                exclude={x for k, x in rewritten if k == kind},
                claimed=claimed,
                renamed=renamed,
            )
        except ReviewError as exc:
            problem(exc.user_message(), exc.code)
            continue
        if fields["target_qbt_id"] is not None:
            claimed[(kind, fields["target_qbt_id"])] = xero_id
        if fields["new_name"]:
            renamed[(kind, xero_id)] = fields["new_name"]
        row = saved.get(line.key)
        if row is not None and not row.stale and same(row.decision, fields):
            report.unchanged += 1
            continue
        changes.append((kind, xero_id, fields_for_new(fields)))
    return changes


def import_csv(
    conn: Connection | int, conflicts: Sequence[Conflict], path: str | os.PathLike[str]
) -> ImportReport:
    """Apply the decisions of an (edited) export. Valid lines: ONE transaction, ONE undo step.

    Reads UTF-8 with or without BOM, UTF-16 and cp1252 ("ANSI"), with ``,``, ``;`` or tab
    between cells (guessed from the header line). Lines are matched to the current conflicts
    by (kind, xero_id); decision words may be English or French. A line with an empty
    decision changes nothing. Lines that cannot be applied are reported with their line number
    and why; an unreadable file raises ReviewFileUnreadable and changes nothing.
    """
    cid = conn_id(conn)
    lines = _read_lines(Path(path))
    report = ImportReport()
    changes = _validate_lines(cid, conflicts, lines, report)
    if changes:
        with saving():
            record_step(cid, "import", changes)
    report.applied = len(changes)
    report.problems.sort(key=lambda p: p.line)
    return report
