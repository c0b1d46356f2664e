"""Load Xero's official OpenAPI specs and validate response bodies against them.

Public helpers (used by the contract tests and, later, to validate the demo data):

- ``spec_dir() -> Path`` / ``specs_available() -> bool`` / ``require_specs()`` (pytest skip)
- ``validate_response(spec_name, method, path_template, status, body) -> None``
  e.g. ``validate_response("accounting", "GET", "/Contacts", 200, body)``; raises
  :class:`SpecValidationError` (an ``AssertionError``) listing every violation.
- ``validate_schema(spec_name, schema_name, instance) -> None`` validates one object against a
  component schema, e.g. ``validate_schema("payroll-au", "Employee", employee)``.
- ``response_example(spec_name, method, path_template, status) -> Any`` the spec's example.

``spec_name`` is ``accounting``, ``payroll-au``, ``payroll-nz``, ``payroll-uk`` (or the file
name). The spec folder is ``<shared>/specs/xero`` where ``<shared>`` is ``$XQB_SHARED_DIR`` or
the ``shared`` folder beside the project root.

How OpenAPI 3.0 is mapped to JSON Schema (draft 4, which OAS 3.0 derives from):
- ``$ref`` is resolved inside the same document; siblings of ``$ref`` are ignored (OAS 3.0).
- ``nullable: true`` allows ``null``.
- ``x-is-msdate``/``x-is-msdate-time`` strings (Accounting, Payroll AU) must be MS-JSON dates
  ``/Date(<ms>[+-hhmm])/`` - the form the real API returns.
- formats: ``uuid`` strict; ``date``/``date-time`` accept the ISO forms the payroll 2.0 APIs
  really send (``2019-02-07T00:00:00``, 7 fractional digits, no zone), which the specs' own
  examples use for ``format: date`` fields.
- Payroll NZ/UK (2.0): the real API serialises absent values as ``null`` (every example in
  those specs does, even for ``required`` fields such as NZ ``dateOfBirth``), so ``null`` is
  accepted on every property there; ``required`` stays enforced except UK ``Employee.title``,
  which the spec's own GET example omits (the specs' ``required`` lists describe creation).
Unknown properties are accepted (the specs never forbid them), unless ``strict_properties``.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker

SPEC_FILES = {
    "accounting": "xero_accounting.yaml",
    "payroll-au": "xero-payroll-au.yaml",
    "payroll-nz": "xero-payroll-nz.yaml",
    "payroll-uk": "xero-payroll-uk.yaml",
    "identity": "xero-identity.yaml",
}
NULL_EVERYWHERE = frozenset({"payroll-nz", "payroll-uk"})
MS_DATES = frozenset({"accounting", "payroll-au"})
# (spec, schema) -> required fields a GET answer may omit (shown omitted by the spec's example)
RESPONSE_OPTIONAL = {("payroll-uk", "Employee"): frozenset({"title"})}
MS_DATE_PATTERN = r"^/Date\(-?\d+([+-]\d{4})?\)/$"
# Known errors in the specs, corrected so that real answers validate. Each entry is
# (spec, schema, property) -> schema to use instead, with the evidence.
SCHEMA_PATCHES: dict[tuple[str, str, str], dict[str, Any]] = {
    # Declared `type: string`, but the spec's own GET /PayItems example (and the API) sends
    # a number (`RatePerUnit: 3`).
    ("payroll-au", "EarningsRate", "RatePerUnit"): {"type": ["number", "string"]},
}


class SpecValidationError(AssertionError):
    """A body does not match the official schema; ``errors`` lists each violation."""

    def __init__(self, where: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"{where}: {len(errors)} schema violation(s):\n  " + "\n  ".join(errors))


def shared_dir() -> Path:
    env = os.environ.get("XQB_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared"


def spec_dir() -> Path:
    return shared_dir() / "specs" / "xero"


def specs_available(*names: str) -> bool:
    names = names or ("accounting", "payroll-au", "payroll-nz", "payroll-uk")
    return all((spec_dir() / SPEC_FILES[_canon(n)]).is_file() for n in names)


def require_specs(*names: str) -> None:
    """Skip the calling test when the official specs are not on this machine."""
    if not specs_available(*names):
        import pytest

        pytest.skip(
            f"Xero OpenAPI specs not found in {spec_dir()} (set XQB_SHARED_DIR to the "
            "shared folder holding specs/xero/*.yaml)"
        )


def _canon(name: str) -> str:
    if name in SPEC_FILES:
        return name
    for key, file in SPEC_FILES.items():
        if name in (file, file.rsplit(".", 1)[0]):
            return key
    raise KeyError(f"unknown Xero spec {name!r}; one of {sorted(SPEC_FILES)}")


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~5x faster


class _NoDatesLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML loader that keeps timestamps as strings (examples hold API date strings)."""


_NoDatesLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_spec(name: str) -> dict[str, Any]:
    """The parsed spec (cached for the session; the accounting file is ~900 KB)."""
    return _load_spec(_canon(name))


@functools.cache
def _load_spec(name: str) -> dict[str, Any]:
    path = spec_dir() / SPEC_FILES[name]
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_NoDatesLoader)


def _convert(node: Any, spec: str, schema_name: str | None = None) -> Any:
    """OpenAPI 3.0 schema -> draft-4 JSON Schema (see module docstring)."""
    if isinstance(node, list):
        return [_convert(n, spec) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in (
            "example",
            "examples",
            "description",
            "externalDocs",
            "readOnly",
            "writeOnly",
            "deprecated",
            "default",
            "discriminator",
            "xml",
            "nullable",
        ):
            continue
        if key == "properties" and isinstance(value, dict):
            props = {}
            for pname, pschema in value.items():
                converted = _convert(pschema, spec)
                patch = SCHEMA_PATCHES.get((spec, schema_name or "", pname))
                if patch is not None:
                    converted = copy.deepcopy(patch)
                if spec in NULL_EVERYWHERE:
                    converted = {"anyOf": [{"type": "null"}, converted]}
                props[pname] = converted
            out["properties"] = props
        elif key in ("items", "additionalProperties", "not"):
            out[key] = _convert(value, spec) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_convert(v, spec) for v in value]
        elif key == "required" and schema_name is not None:
            optional = RESPONSE_OPTIONAL.get((spec, schema_name), frozenset())
            req = [r for r in value if r not in optional]
            if req:
                out["required"] = req
        else:
            out[key] = value
    if spec in MS_DATES and (node.get("x-is-msdate") or node.get("x-is-msdate-time")):
        out["pattern"] = MS_DATE_PATTERN
    if node.get("type") == "number" and node.get("format") == "integer":
        out["type"] = "number"
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, out]}
    return out


@functools.cache
def _components(name: str) -> dict[str, Any]:
    spec_name = _canon(name)
    spec = load_spec(spec_name)
    schemas = spec.get("components", {}).get("schemas", {})
    converted = {sname: _convert(s, spec_name, sname) for sname, s in schemas.items()}
    return {"components": {"schemas": converted}}


_FORMATS = FormatChecker(formats=())
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@_FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID_RE.match(value))


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_RE.match(value))


@_FORMATS.checks("date-time")
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATETIME_RE.match(value))


def _strict(schema: Any) -> Any:
    """additionalProperties: false on every object schema that lists properties."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _validator(spec_name: str, schema: dict[str, Any], strict_properties: bool) -> Draft4Validator:
    root = copy.copy(_components(spec_name))
    if strict_properties:
        root = _strict(copy.deepcopy(root))
        schema = _strict(schema)
    root = dict(root)
    root.update(schema)
    return Draft4Validator(root, format_checker=_FORMATS)


def _leaves(err: Any) -> list[Any]:
    """Unwrap the ``anyOf: [null, X]`` produced for nullable properties into X's errors."""
    if err.validator == "anyOf" and err.context:
        real = [
            e for e in err.context if not (e.validator == "type" and e.validator_value == "null")
        ]
        if real:
            return [leaf for e in real for leaf in _leaves(e)]
    return [err]


def _errors(validator: Draft4Validator, instance: Any) -> list[str]:
    out = []
    leaves = [leaf for err in validator.iter_errors(instance) for leaf in _leaves(err)]
    for err in sorted(leaves, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in err.absolute_path) or "<root>"
        message = err.message if len(err.message) < 300 else err.message[:300] + "..."
        out.append(f"{where}: {message}")
    return sorted(set(out), key=out.index)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        target: Any = spec
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def response_schema(spec_name: str, method: str, path_template: str, status: int) -> dict[str, Any]:
    """The (raw OpenAPI) schema the spec declares for one response."""
    spec = load_spec(spec_name)
    path_item = spec["paths"].get(path_template)
    if path_item is None:
        raise KeyError(f"{spec_name}: no path {path_template!r}")
    operation = path_item.get(method.lower())
    if operation is None:
        raise KeyError(f"{spec_name}: no {method.upper()} {path_template}")
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise KeyError(
            f"{spec_name}: {method.upper()} {path_template} declares no {status} "
            f"response (declared: {sorted(responses)})"
        )
    response = _resolve(spec, response)
    content = response.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if media is None or "schema" not in media:
        raise KeyError(f"{spec_name}: {method.upper()} {path_template} {status} has no JSON schema")
    return media["schema"]


def response_example(spec_name: str, method: str, path_template: str, status: int) -> Any:
    spec = load_spec(spec_name)
    operation = spec["paths"][path_template][method.lower()]
    response = _resolve(spec, operation["responses"][str(status)])
    media = response["content"].get("application/json") or next(iter(response["content"].values()))
    return copy.deepcopy(media.get("example"))


# The envelope fields every answer carries but no response schema declares (references §1;
# spec examples): checked on their own when present, and allowed in strict mode.
_PASCAL_ENVELOPE = {
    "type": "object",
    "properties": {
        "Id": {"type": "string", "format": "uuid"},
        "Status": {"enum": ["OK"]},
        "ProviderName": {"type": "string"},
        "DateTimeUTC": {"type": "string", "pattern": MS_DATE_PATTERN},
    },
}
_CAMEL_ENVELOPE = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "providerName": {"type": "string"},
        "dateTimeUTC": {"type": "string", "format": "date-time"},
        "httpStatusCode": {"type": "string"},
    },
}


def _envelope_schema(spec_name: str) -> dict[str, Any]:
    return _CAMEL_ENVELOPE if spec_name in NULL_EVERYWHERE else _PASCAL_ENVELOPE


def validate_response(
    spec_name: str,
    method: str,
    path_template: str,
    status: int,
    body: Any,
    *,
    strict_properties: bool = False,
) -> None:
    """Validate a response body against the official schema; raise SpecValidationError.

    The undeclared envelope fields (``Id``/``Status``/``ProviderName``/``DateTimeUTC``, or
    ``id``/``providerName``/``dateTimeUTC``/``httpStatusCode`` for payroll 2.0) are checked
    against their documented form when present and are not "unknown" in strict mode.
    """
    name = _canon(spec_name)
    raw = response_schema(name, method, path_template, status)
    envelope = _envelope_schema(name)
    errors = _errors(Draft4Validator(envelope, format_checker=_FORMATS), body)
    if strict_properties and isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in envelope["properties"]}
    validator = _validator(name, _convert(raw, name), strict_properties)
    errors += _errors(validator, body)
    if errors:
        raise SpecValidationError(f"{name} {method.upper()} {path_template} {status}", errors)


def validate_schema(
    spec_name: str, schema_name: str, instance: Any, *, strict_properties: bool = False
) -> None:
    """Validate one object against ``components/schemas/<schema_name>``."""
    name = _canon(spec_name)
    if schema_name not in load_spec(name).get("components", {}).get("schemas", {}):
        raise KeyError(f"{name}: no component schema {schema_name!r}")
    validator = _validator(name, {"$ref": f"#/components/schemas/{schema_name}"}, strict_properties)
    errors = _errors(validator, instance)
    if errors:
        raise SpecValidationError(f"{name} schema {schema_name}", errors)
