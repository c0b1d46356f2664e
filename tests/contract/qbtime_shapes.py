"""Shapes of QuickBooks Time answers, checked against the official material in
``shared/specs/qbtime`` (see its SOURCE.md).

The SDK's JSON Schemas mark every property required and forbid additional ones, which is
stricter than the live API. They are used here as an *inventory*: every field an object
carries must be known to the schema or to an official example (with a compatible type), and
every field of the official ``object.json`` example must be present. Documented quirks are
tolerated: ``""`` for an empty map (``filtered_customfielditems``, user ``customfields``),
``""`` for an empty timestamp, ``"0000-00-00"`` dates, ``+0000`` offsets, ``null`` where an
official example shows one; and, unless ``allow_quirks=False``, booleans as ``1``/``0``/
``"1"``/``"0"``/``""`` (supplemental data in the docs).

Public helpers:
    spec_dir() -> Path | None
    check_object(kind, obj, *, allow_quirks=True) -> list[str]
    check_list_envelope(payload, kind, *, allow_quirks=False) -> list[str]
    check_write_envelope(payload, kind, count, *, allow_quirks=False) -> list[str]
    check_error_body(payload, status) -> list[str]
    load_example(relative_path) -> Any | None
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

# kind (the key under "results"/"supplemental_data" and in the company file) ->
# (schema title, api_docs_examples folder)
KINDS: dict[str, tuple[str, str]] = {
    "users": ("User", "Users"),
    "current_user": ("User", "Users"),
    "jobcodes": ("Jobcode", "Jobcodes"),
    "jobcode_assignments": ("JobcodeAssignment", "JobcodeAssignments"),
    "customfields": ("CustomField", "CustomFields"),
    "customfielditems": ("CustomFieldItem", "CustomFieldItems"),
    "locations": ("Location", "Locations"),
    "locations_map": ("LocationsMap", "LocationsMaps"),
    "timesheets": ("Timesheet", "Timesheets"),
    "timesheets_deleted": ("TimesheetsDeleted", "TimesheetsDeleted"),
    # No SDK schema for time off: the official examples are the whole inventory.
    "time_off_requests": ("", "TimeOffRequests"),
    "time_off_request_entries": ("", "TimeOffRequestEntries"),
    "time_off_request_notes": ("", "TimeOffRequests"),
}

# fields of an official object example that another official example leaves out (an entry
# without times has no tz_string: TimeOffRequests/retrieve-response.json)
OPTIONAL = {"time_off_request_entries": ("tz_string",)}
# kinds whose official object example is not the folder's object.json
OBJECT_FILE = {"time_off_request_notes": "note_object.json"}

_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUIRK_BOOLS = (0, 1, "0", "1", "", "yes", "no", "true", "false")


def spec_dir() -> Path | None:
    """``<shared>/specs/qbtime``; the shared folder is ``$XQB_SHARED_DIR`` or sits beside the
    project root. None when it is not there."""
    env = os.environ.get("XQB_SHARED_DIR")
    shared = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"
    path = shared / "specs" / "qbtime"
    return path if path.is_dir() else None


def _require_spec() -> Path:
    path = spec_dir()
    if path is None:
        raise FileNotFoundError("shared/specs/qbtime not found (set XQB_SHARED_DIR)")
    return path


def load_example(relative: str) -> Any | None:
    """An official example. ``.json`` files parse as they are; ``.txt`` ones are the docs'
    loose excerpts: ``...`` lines and trailing commas are dropped, and None is answered when
    the text still does not parse."""
    path = _require_spec() / "api_docs_examples" / relative
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    text = re.sub(r"(?m)^\s*\.\.\.\s*,?\s*$\n?", "", text)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


@cache
def _schema(title: str) -> dict[str, Any]:
    if not title:
        return {}
    return json.loads((_require_spec() / "jsonschema" / f"{title}.schema.json").read_text("utf-8"))


def _resolve(spec: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = spec.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return root.get("definitions", {}).get(ref.split("/")[-1], {})
    return spec


@cache
def _example_objects(kind: str) -> tuple[dict[str, Any], ...]:
    """Every object of ``kind`` in the official ``.json`` examples (object.json first), under
    ``results`` or ``supplemental_data``, without the ``_status_*`` fields."""
    folder = _require_spec() / "api_docs_examples"
    out: list[dict[str, Any]] = []
    own = folder / KINDS[kind][1] / OBJECT_FILE.get(kind, "object.json")
    if own.exists():
        out.append(json.loads(own.read_text("utf-8")))
    key = "users" if kind == "current_user" else kind
    for path in sorted(folder.glob("*/*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        for section in ("results", "supplemental_data"):
            block = data.get(section)
            if isinstance(block, dict) and isinstance(block.get(key), dict):
                for obj in block[key].values():
                    if isinstance(obj, dict) and "id" in obj:
                        out.append({k: v for k, v in obj.items() if not k.startswith("_")})
    return tuple(out)


def _example_object(kind: str) -> dict[str, Any]:
    path = (
        _require_spec()
        / "api_docs_examples"
        / KINDS[kind][1]
        / OBJECT_FILE.get(kind, "object.json")
    )
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def _py_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _check_value(
    path: str,
    value: Any,
    spec: dict[str, Any],
    root: dict[str, Any],
    examples: list[Any],
    allow_quirks: bool,
) -> list[str]:
    spec = _resolve(spec, root)
    if value is None:
        if any(e is None for e in examples):
            return []
        return [f"{path}: null where the schema says {spec.get('type', 'a value')}"]
    if "enum" in spec:
        if value not in spec["enum"]:
            return [f"{path}: {value!r} is not one of {spec['enum']}"]
        return []
    kind = spec.get("type")
    if kind == "boolean":
        if isinstance(value, bool) or (
            allow_quirks and value in _QUIRK_BOOLS and not isinstance(value, float)
        ):
            return []
        return [f"{path}: {value!r} is not a boolean"]
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return []
        return [f"{path}: {value!r} is not an integer"]
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return []
        return [f"{path}: {value!r} is not a number"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: {value!r} is not a string"]
        if (
            spec.get("format") == "date-time"
            and value
            and not (_TS.match(value) or _DAY.match(value))
        ):
            return [f"{path}: {value!r} is not an ISO 8601 date/time"]
        return []
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not an array"]
        problems: list[str] = []
        for i, element in enumerate(value):
            problems += _check_value(
                f"{path}[{i}]", element, spec.get("items", {}), root, [], allow_quirks
            )
        return problems
    if kind == "object":
        if value == "":
            return []  # the live API's empty map
        if not isinstance(value, dict):
            return [f"{path}: {value!r} is not an object"]
        problems = []
        props = spec.get("properties")
        if isinstance(props, dict):
            known_extra: dict[str, list[Any]] = {}
            for example in examples:
                if isinstance(example, dict):
                    for k, v in example.items():
                        known_extra.setdefault(k, []).append(v)
            for key, sub in value.items():
                if key in props:
                    problems += _check_value(
                        f"{path}.{key}",
                        sub,
                        props[key],
                        root,
                        known_extra.get(key, []),
                        allow_quirks,
                    )
                elif key in known_extra:
                    problems += _check_like_examples(
                        f"{path}.{key}", sub, known_extra[key], allow_quirks
                    )
                else:
                    problems.append(f"{path}.{key}: not a known field")
            return problems
        extra = spec.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            for key, sub in value.items():
                problems += _check_value(f"{path}.{key}", sub, extra, root, [], allow_quirks)
        return problems
    return []


def _check_like_examples(
    path: str, value: Any, examples: list[Any], allow_quirks: bool
) -> list[str]:
    """A field the schema does not know but an official example shows: same JSON type."""
    seen = {_py_type(e) for e in examples}
    mine = _py_type(value)
    if (
        mine in seen
        or (mine == "integer" and "number" in seen)
        or (mine == "number" and "integer" in seen)
    ):
        return []
    if "object" in seen and value == "":
        return []
    if "boolean" in seen and allow_quirks and value in _QUIRK_BOOLS:
        return []
    return [f"{path}: {value!r} ({mine}) where the official examples have {sorted(seen)}"]


def check_object(kind: str, obj: dict[str, Any], *, allow_quirks: bool = True) -> list[str]:
    """Problems of one QB Time object of ``kind`` (``users``, ``current_user``, ``jobcodes``,
    ``jobcode_assignments``, ``customfields``, ``customfielditems``, ``locations``,
    ``locations_map``, ``timesheets``); an empty list when it matches the official shapes."""
    if kind not in KINDS:
        return [f"unknown kind {kind!r}"]
    if not isinstance(obj, dict):
        return [f"{kind}: not an object"]
    root = _schema(KINDS[kind][0])
    props = root.get("properties", {})
    examples = _example_objects(kind)
    by_field: dict[str, list[Any]] = {}
    for example in examples:
        for key, value in example.items():
            by_field.setdefault(key, []).append(value)
    label = f"{kind}[{obj.get('id', '?')}]"
    problems: list[str] = []
    for key, value in obj.items():
        if key in props:
            problems += _check_value(
                f"{label}.{key}", value, props[key], root, by_field.get(key, []), allow_quirks
            )
        elif key in by_field:
            problems += _check_like_examples(f"{label}.{key}", value, by_field[key], allow_quirks)
        else:
            problems.append(f"{label}.{key}: not a field of the schema or of any official example")
    for key in _example_object(kind):
        if key not in obj and key not in OPTIONAL.get(kind, ()):
            problems.append(f"{label}.{key}: missing (present in the official object example)")
    return problems


def _status_fields(label: str, element: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(element.get("_status_code"), int) or isinstance(
        element.get("_status_code"), bool
    ):
        problems.append(f"{label}: _status_code is not an integer")
    if not isinstance(element.get("_status_message"), str):
        problems.append(f"{label}: _status_message is not a string")
    if "_status_extra" in element and not isinstance(element["_status_extra"], str):
        problems.append(f"{label}: _status_extra is not a string")
    return problems


def _check_supplemental(sup: Any, allow_quirks: bool) -> list[str]:
    if not isinstance(sup, dict):
        return ["supplemental_data is not an object"]
    problems: list[str] = []
    for kind, block in sup.items():
        if not isinstance(block, dict):
            problems.append(f"supplemental_data.{kind} is not an object keyed by id")
            continue
        for key, obj in block.items():
            if not isinstance(obj, dict) or str(obj.get("id")) != key:
                problems.append(f"supplemental_data.{kind}.{key}: not keyed by its id")
            elif kind in KINDS:
                problems += check_object(kind, obj, allow_quirks=allow_quirks)
    return problems


def check_list_envelope(payload: Any, kind: str, *, allow_quirks: bool = False) -> list[str]:
    """A GET answer: ``{"results":{kind:{"<id>":{...}}},"more":bool,"supplemental_data"?}``."""
    if not isinstance(payload, dict):
        return ["answer is not an object"]
    problems = [
        f"unexpected top-level key {k!r}"
        for k in payload
        if k not in ("results", "more", "supplemental_data")
    ]
    if not isinstance(payload.get("more"), bool):
        problems.append("'more' is missing or not a JSON boolean")
    results = payload.get("results")
    key = "users" if kind == "current_user" else kind
    if not isinstance(results, dict) or list(results) != [key]:
        return [*problems, f"results must hold exactly {key!r}"]
    rows = results[key]
    if rows == []:
        # An empty list: the service's encoder writes an empty map as [] (see qbtime.py _list).
        return problems
    if not isinstance(rows, dict) or not rows:
        return [*problems, f"results.{key} is not an object keyed by id (nor [] when empty)"]
    for oid, obj in rows.items():
        if not isinstance(obj, dict) or str(obj.get("id")) != oid:
            problems.append(f"results.{key}.{oid}: not keyed by its id")
            continue
        problems += check_object(kind, obj, allow_quirks=allow_quirks)
    if "supplemental_data" in payload:
        problems += _check_supplemental(payload["supplemental_data"], allow_quirks)
    return problems


def check_write_envelope(
    payload: Any, kind: str, count: int, *, allow_quirks: bool = False
) -> list[str]:
    """A POST/PUT answer: ``results.<kind>`` keyed "1".."count"; successes are full objects,
    failures carry ``_status_extra``. No ``more``."""
    if not isinstance(payload, dict):
        return ["answer is not an object"]
    problems = [
        f"unexpected top-level key {k!r}"
        for k in payload
        if k not in ("results", "supplemental_data")
    ]
    results = payload.get("results")
    if not isinstance(results, dict) or list(results) != [kind]:
        return [*problems, f"results must hold exactly {kind!r}"]
    rows = results[kind]
    expected = [str(i) for i in range(1, count + 1)]
    if not isinstance(rows, dict) or list(rows) != expected:
        return [*problems, f"results.{kind} must be keyed {expected} in order"]
    for key, element in rows.items():
        label = f"results.{kind}.{key}"
        problems += _status_fields(label, element)
        code = element.get("_status_code")
        if isinstance(code, int) and code < 300:
            body = {k: v for k, v in element.items() if not k.startswith("_")}
            problems += check_object(kind, body, allow_quirks=allow_quirks)
        elif not isinstance(element.get("_status_extra"), str):
            problems.append(f"{label}: a failed element has no _status_extra")
    if "supplemental_data" in payload:
        problems += _check_supplemental(payload["supplemental_data"], allow_quirks)
    return problems


def check_error_body(payload: Any, status: int) -> list[str]:
    """``{"error":{"code":<status>,"message":"..."}}`` (docs "Exceptions")."""
    if (
        not isinstance(payload, dict)
        or list(payload) != ["error"]
        or not isinstance(payload["error"], dict)
    ):
        return [f"not an error body: {payload!r}"]
    error = payload["error"]
    problems = []
    if error.get("code") != status:
        problems.append(f"error.code is {error.get('code')!r}, expected {status}")
    if not isinstance(error.get("message"), str) or not error["message"]:
        problems.append("error.message is missing")
    if set(error) - {"code", "message"}:
        problems.append(f"unexpected error fields {sorted(set(error) - {'code', 'message'})}")
    return problems
