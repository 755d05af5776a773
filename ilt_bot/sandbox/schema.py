"""Validation from the discovery documents: query parameters, JSON request bodies, ``fields`` masks.

Errors are raised as :class:`~ilt_bot.sandbox.core.ApiError` with Google's wording (the proto JSON
binding's ``Invalid JSON payload received. Unknown name ...`` and ``Invalid value at 'x' (TYPE_INT32)``
messages, with a ``google.rpc.BadRequest`` detail); the server renders them Drive-style for Drive.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.routing import APIS, api_of, discovery, methods

STANDARD_PARAMS = frozenset(
    {"alt", "fields", "prettyPrint", "quotaUser", "key", "access_token", "oauth_token", "upload_protocol",
     "uploadType", "callback", "$.xgafv"}
)
"""System parameters every Google API accepts (and the sandbox ignores or interprets)."""

BODY_FIELD: dict[str, str] = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
}
"""Methods whose HTTP body binds to a named request field (errors then say ``at 'data.values'``)."""


def snake(name: str) -> str:
    """``insertText`` -> ``insert_text`` (Google names fields the proto way in error messages)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    """``insert_text`` -> ``insertText``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _bad_request(message: str, field: str | None, *, location: str | None = None,
                 location_type: str | None = None, reason: str = "badRequest") -> ApiError:
    violation: dict[str, str] = {"field": field, "description": message} if field else {"description": message}
    return ApiError(
        400,
        message,
        reason=reason,
        status="INVALID_ARGUMENT",
        location=location,
        location_type=location_type,
        details=[{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}],
    )


def _shown(value: Any) -> str:
    """A value as Google quotes it in ``Invalid value`` messages."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value)


def _invalid_value(path: str, type_name: str, value: Any, *, param: str | None = None) -> ApiError:
    message = f"Invalid value at '{path}' ({type_name}), {_shown(value)}"
    return _bad_request(message, path, location=param, location_type="parameter" if param else None,
                        reason="invalid" if param else "badRequest")


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _type_url(api: str, name: str) -> str:
    return f"type.googleapis.com/google.apps.{api}.{APIS[api]}.{_pascal(name)}"


_SCALAR_TYPE = {
    ("integer", "int32"): "TYPE_INT32",
    ("integer", "uint32"): "TYPE_UINT32",
    ("string", "int64"): "TYPE_INT64",
    ("string", "uint64"): "TYPE_UINT64",
    ("number", "double"): "TYPE_DOUBLE",
    ("number", "float"): "TYPE_FLOAT",
    ("boolean", None): "TYPE_BOOL",
    ("string", None): "TYPE_STRING",
}


def _scalar_name(spec: dict[str, Any]) -> str:
    fallback = _SCALAR_TYPE.get((spec.get("type"), None), "TYPE_STRING")
    return _SCALAR_TYPE.get((spec.get("type"), spec.get("format")), fallback)


# --- query parameters ----------------------------------------------------------------------------


def _convert_query(api: str, name: str, spec: dict[str, Any], raw: str) -> Any:
    kind = spec.get("type", "string")
    path = snake(name)
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise _invalid_value(path, "TYPE_BOOL", raw, param=name)
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise _invalid_value(path, _scalar_name(spec), raw, param=name) from None
        minimum, maximum = spec.get("minimum"), spec.get("maximum")
        if (minimum is not None and value < int(minimum)) or (maximum is not None and value > int(maximum)):
            message = f"Invalid value '{raw}'. Values must be within the range: [{minimum}, {maximum}]"
            raise _bad_request(message, path, location=name, location_type="parameter", reason="invalid")
        return value
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise _invalid_value(path, _scalar_name(spec), raw, param=name) from None
    if "enum" in spec and raw not in spec["enum"]:
        raise _invalid_value(path, _type_url(api, name), raw, param=name)
    return raw


def validate_query(method_id: str, args: Iterable[tuple[str, str]], path_params: dict[str, str] | None = None
                   ) -> dict[str, Any]:
    """The query of ``method_id`` converted to discovery types; 400 for ill-typed parameters and, except
    on Drive (which ignores them), for unknown ones.

    System parameters (``fields``, ``alt``, ``prettyPrint`` ...) are kept as strings (``prettyPrint`` as bool).
    """
    spec = methods()[method_id]
    api = api_of(method_id)
    params = spec.get("parameters", {})
    out: dict[str, Any] = {}
    for name, raw in args:
        pspec = params.get(name)
        if pspec is not None and pspec.get("location") == "query":
            value = _convert_query(api, name, pspec, raw)
            if pspec.get("repeated"):
                out.setdefault(name, []).append(value)
            else:
                out.setdefault(name, value)
        elif name in STANDARD_PARAMS:
            if name == "prettyPrint":
                out.setdefault(name, raw.lower() not in ("false", "0"))
            else:
                out.setdefault(name, raw)
        elif pspec is not None or (path_params and name in path_params):
            continue  # a path parameter repeated in the query: bound from the path
        elif api == "drive":
            continue  # Drive ignores query parameters it does not know (recorded: files.get with
            # includeItemsFromAllDrives answers 200); the ESF-fronted APIs refuse them
        else:
            message = (
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )
            raise _bad_request(message, None, location=name, location_type="parameter")
    for name, pspec in params.items():
        if pspec.get("location") == "query" and pspec.get("required") and name not in out:
            message = f"Required parameter: {name}" if api == "drive" else f"'{name}' is required but not specified"
            raise _bad_request(message, snake(name), location=name, location_type="parameter", reason="required")
    return out


# --- JSON bodies ---------------------------------------------------------------------------------


class _Validator:
    def __init__(self, api: str) -> None:
        self.api = api
        self.schemas: dict[str, Any] = discovery(api)["schemas"]

    def resolve(self, spec: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in spec:
            spec = self.schemas[spec["$ref"]]
        return spec

    def type_name(self, spec: dict[str, Any], prop: str) -> str:
        if "$ref" in spec:
            return _type_url(self.api, spec["$ref"])
        if "enum" in spec:
            return _type_url(self.api, prop)
        return _scalar_name(spec)

    def check(self, value: Any, spec: dict[str, Any], path: str, prop: str) -> None:
        """Validate ``value`` against ``spec``; ``path`` names it in errors (``requests[0].insert_text``)."""
        if value is None:
            return  # JSON null clears a field, as proto JSON allows
        if "$ref" in spec:
            target = self.resolve(spec)
            if target.get("type") == "object" or "properties" in target:
                self.check_object(value, target, path, spec)
                return
            spec = target
        kind = spec.get("type")
        if kind == "array":
            if not isinstance(value, list):
                raise _invalid_value(path, self.type_name(spec.get("items", {}), prop), value)
            items = spec.get("items", {})
            for index, item in enumerate(value):
                self.check_item(item, items, path, index, prop)
            return
        if kind == "object":
            self.check_object(value, spec, path, spec)
            return
        self.check_scalar(value, spec, path, prop)

    def check_item(self, item: Any, items: dict[str, Any], path: str, index: int, prop: str) -> None:
        resolved = self.resolve(items) if "$ref" in items else items
        if resolved.get("type") == "object" or "properties" in resolved:
            self.check(item, items, f"{path}[{index}]", prop)
        elif resolved.get("type") == "array":
            if not isinstance(item, list):
                raise _invalid_value(path, "type.googleapis.com/google.protobuf.ListValue", item)
            for sub in item:
                self.check_item(sub, resolved.get("items", {}), path, index, prop)
        elif resolved.get("type") == "any" or not resolved:
            return
        else:
            if isinstance(item, list | dict):
                raise _invalid_value(path, self.type_name(items, prop), item)
            self.check_scalar(item, resolved, path, prop)

    def check_object(self, value: Any, spec: dict[str, Any], path: str, ref_spec: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            name = (_type_url(self.api, ref_spec["$ref"]) if "$ref" in ref_spec
                    else "type.googleapis.com/google.protobuf.Struct")
            raise _invalid_value(path, name, value)
        properties: dict[str, Any] = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        if not properties and extra is None:
            return  # a free-form object
        for key in list(value):
            prop_spec = properties.get(key)
            name = key
            if prop_spec is None and camel(key) in properties and camel(key) not in value:
                name = camel(key)  # proto JSON accepts the proto field name too
                value[name] = value.pop(key)
                prop_spec = properties[name]
            if prop_spec is None and extra is not None:
                self.check(value[key], extra, f"{path}[{_shown(key)}]" if path else key, key)
                continue
            if prop_spec is None and self.api == "drive":
                del value[key]  # Drive ignores (and drops) unknown fields, e.g. gspread's "withLink"
                continue
            if prop_spec is None:
                where = f" at '{path}'" if path else ""
                message = f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.'
                raise _bad_request(message, path or None)
            child = f"{path}.{snake(name)}" if path else snake(name)
            if self.api != "drive" and prop_spec.get("type") == "array":
                value[name] = self.lenient_repeated(value[name], prop_spec.get("items", {}))
            self.check(value[name], prop_spec, child, name)

    def lenient_repeated(self, value: Any, items: dict[str, Any]) -> Any:
        """What the ESF JSON parser does with a repeated message field, as recorded in the gspread-pandas
        cassettes (answered 200): a lone object is a one-element list, nested lists are flattened."""
        target = self.resolve(items) if "$ref" in items else items
        if target.get("type") != "object" and "properties" not in target:
            return value
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list) and any(isinstance(item, list) for item in value):
            flat: list[Any] = []
            pending = list(value)
            while pending:
                item = pending.pop(0)
                if isinstance(item, list):
                    pending[:0] = item
                else:
                    flat.append(item)
            return flat
        return value

    def check_scalar(self, value: Any, spec: dict[str, Any], path: str, prop: str) -> None:
        kind, fmt = spec.get("type"), spec.get("format")
        ok = True
        if "enum" in spec:
            ok = isinstance(value, str) and value in spec["enum"]
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind == "integer" or (kind == "string" and fmt in ("int64", "uint64")):
            ok = _is_integral(value) and _in_range(int(value.strip() if isinstance(value, str) else value), fmt)
        elif kind == "number":
            ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
                isinstance(value, str) and _is_number_text(value)
            )
        elif kind == "string":
            ok = isinstance(value, str)
        if not ok:
            raise _invalid_value(path, self.type_name(spec, prop), value)


def _is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+", value.strip()) is not None
    return False


_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1),
           "uint64": (0, 2**64 - 1)}


def _in_range(value: int, fmt: str | None) -> bool:
    low, high = _RANGES.get(fmt or "int32", _RANGES["int32"])
    return low <= value <= high


def _is_number_text(value: str) -> bool:
    if value in ("NaN", "Infinity", "-Infinity"):
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def parse_json_body(raw: bytes) -> Any:
    """Decode a JSON request body; 400 ``Invalid JSON payload received.`` when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = f"Invalid JSON payload received. Unexpected token.\n{raw[:40].decode('utf-8', 'replace')}\n^"
        raise _bad_request(message, None) from exc


def validate_body(method_id: str, body: Any) -> Any:
    """Check a decoded JSON body against the method's ``request`` schema (in place: proto-style
    snake_case names become camelCase). Returns the body; raises 400 :class:`ApiError`."""
    spec = methods()[method_id]
    request = spec.get("request")
    if request is None or body is None:
        return body
    validator = _Validator(api_of(method_id))
    root = BODY_FIELD.get(method_id, "")
    if not isinstance(body, dict):
        raise _invalid_value(root or "", _type_url(validator.api, request["$ref"]), body) if root else _bad_request(
            "Invalid JSON payload received. Unknown name \"\": Root element must be a message.", None
        )
    validator.check_object(body, validator.resolve(request), root, request)
    return body


# --- fields masks --------------------------------------------------------------------------------


FieldTree = dict[str, "FieldTree | None"]


def _fields_error(api: str, path: str) -> ApiError:
    """Google's answer to a ``fields`` mask naming something the response does not have."""
    if api == "drive":
        return ApiError(400, f"Invalid field selection {path}", reason="invalidParameter",
                        location="fields", location_type="parameter")
    description = f"Error expanding 'fields' parameter. Cannot find matching fields for path '{path}'."
    return ApiError(400, "Request contains an invalid argument.", status="INVALID_ARGUMENT", details=[
        {"@type": "type.googleapis.com/google.rpc.BadRequest",
         "fieldViolations": [{"field": "fields", "description": description}]}])


def parse_fields(mask: str, method_id: str | None = None) -> FieldTree:
    """Parse a ``fields`` mask (``files(id,name),nextPageToken``, ``a/b`` or ``a.b``, ``*``) into a
    tree whose leaves are None (the whole value), and check it against the method's response schema.

    Drive tolerates spaces in the mask; the other APIs do not (``' sheets.properties'`` is a 400).
    """
    api = api_of(method_id) if method_id else "drive"
    text = mask.replace(" ", "") if api == "drive" else mask
    tree: FieldTree = {}
    try:
        pos = _parse_list(text, 0, tree)
        if pos != len(text):
            raise ValueError(pos)
    except ValueError as exc:
        rest = text[exc.args[0]:] if exc.args and isinstance(exc.args[0], int) else text
        raise _fields_error(api, mask if api == "drive" else rest.split(",")[0]) from None
    if method_id is not None:
        response = methods()[method_id].get("response")
        if response is not None:
            validator = _Validator(api)
            _check_fields(validator, validator.resolve(response), tree, "", api)
    return tree


def _check_fields(validator: _Validator, spec: dict[str, Any], tree: FieldTree, prefix: str, api: str) -> None:
    properties = spec.get("properties", {})
    extra = spec.get("additionalProperties")
    for name, sub in tree.items():
        if name == "*":
            continue
        path = f"{prefix}{name}"
        if name in properties:
            child = properties[name]
        elif extra is not None:
            child = extra
        else:
            raise _fields_error(api, name if api == "drive" else path)
        if sub is None:
            continue
        child = validator.resolve(child)
        while child.get("type") == "array":
            child = validator.resolve(child.get("items", {}))
        if "properties" not in child and "additionalProperties" not in child:
            inner = next(iter(sub))
            raise _fields_error(api, inner if api == "drive" else f"{path}.{inner}")
        _check_fields(validator, child, sub, path + ".", api)


def _merge(tree: FieldTree, name: str, sub: FieldTree | None) -> None:
    if name in tree and tree[name] is None:
        return
    existing = tree.get(name)
    if sub is None or existing is None:
        tree[name] = sub
    else:
        for key, value in sub.items():
            _merge(existing, key, value)


_NAME = re.compile(r"[A-Za-z0-9_*@$-]+")


def _parse_list(text: str, pos: int, tree: FieldTree) -> int:
    """Parse ``name[/name...][(list)]`` items separated by commas; returns where it stopped."""
    while True:
        match = _NAME.match(text, pos)
        if not match:
            raise ValueError(pos)
        names = [match.group()]
        pos = match.end()
        while pos < len(text) and text[pos] in "/.":
            nxt = _NAME.match(text, pos + 1)
            if not nxt:
                raise ValueError(pos)
            names.append(nxt.group())
            pos = nxt.end()
        sub: FieldTree | None = None
        if pos < len(text) and text[pos] == "(":
            sub = {}
            pos = _parse_list(text, pos + 1, sub)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(pos)
            pos += 1
        for name in reversed(names[1:]):
            sub = {name: sub}
        _merge(tree, names[0], sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return pos


def project(value: Any, tree: FieldTree | None) -> Any:
    """Keep only the fields of ``tree`` in ``value`` (lists are projected element by element)."""
    if tree is None or "*" in tree and all(v is None for v in tree.values()) and len(tree) == 1:
        return value
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        out = {key: project(item, tree.get(key)) for key, item in value.items()}
        return out
    out = {}
    for key, sub in tree.items():
        if key in value:
            out[key] = project(value[key], sub)
    return out
