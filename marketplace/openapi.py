"""Operations declared once: the models that read a request and shape its answer also write the
served OpenAPI 3.1 document.

A JSON handler says what it takes and what it answers, and nothing else reads or writes JSON:

    @bp.post("/products")
    @authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
    @operation("List a product", tag="catalog", body=ProductIn,
               responses={201: schemas.OwnProduct}, problems=(409,))
    def create_product(body: ProductIn):
        return schemas.product_owner(services.create_product(current_api_user(), body)), 201

- `body` and `query` are pydantic models (made of `marketplace.fields` types): the handler gets
  them validated as `body=` and `query=`; a bad one is a 422 naming every failing field.
- `responses` maps each status to what is sent: a pydantic model or TypedDict (the value the
  handler returns is serialised through it, so nothing undeclared leaves), None for no body, or
  `Reply(...)` for a description, headers or another media type (a CSV, a PDF).
- The document walks the app's URL map: the path and its parameters come from the route, the
  security from `@authenticated` (its roles, and which integration keys may call it, also as
  `x-integration-key-scopes`: the scopes a key needs, [] for any key, null for none), the
  problems from what can go wrong
  (400, 429 and 503 always: a refusal, a rate limit, a database or search that is away for a
  moment; 401 and 403 behind `@authenticated`, 422 with a body or query, and
  those listed in `problems`; `problems=None` for a probe that answers none).

Handlers outside /api/v1 (the IndiaMART pull, the health probes) are declared the same way and
documented with the site's root as their server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, get_args, get_origin

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from pydantic import BaseModel, TypeAdapter
from werkzeug.routing import Rule

from marketplace.errors import ServiceError
from marketplace.validation import MAX_ID, validated

API_ROOT = "/api/v1"
REF = "#/components/schemas/{model}"
AT_ROOT = [{"url": "/", "description": "the site's root, outside /api/v1"}]

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "each failing field (dotted for nested ones) with its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
_PROBLEM = {
    "description": "Problem",
    "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
}
_TRY_AGAIN_LATER = {
    **_PROBLEM,
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}


@dataclass(frozen=True)
class Reply:
    """One declared answer: what its body is (a model, a TypedDict, a JSON schema for a
    non-JSON body, or None), in which media type, with which headers."""

    body: Any = None
    description: str = "OK"
    media: str = "application/json"
    headers: dict[str, Any] = field(default_factory=dict)
    # Other media types the same answer may come in, with their JSON schema (a report as CSV):
    # the handler returns those as a Response of its own.
    alternatives: dict[str, Any] = field(default_factory=dict)

    @property
    def is_json(self) -> bool:
        return (
            self.media.endswith("json")
            and self.body is not None
            and not isinstance(self.body, dict)
        )


@dataclass(frozen=True)
class Header:
    """A request header an operation reads itself (a gateway's signature over the raw body)."""

    name: str
    description: str
    required: bool = True

    def parameter(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "header",
            "required": self.required,
            "schema": {"type": "string"},
            "description": self.description,
        }


@dataclass(frozen=True)
class Access:
    """What `@authenticated` lets through, as the document tells it."""

    roles: tuple[str, ...] = ()
    scope: str | None = None
    person: bool = False
    any_key: bool = False

    @property
    def key_scopes(self) -> list[str] | None:
        """The scopes an integration key needs (none: any key may), or None: no key may."""
        if self.any_key:
            return []
        return [self.scope] if self.scope else None


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    body: type[BaseModel] | None
    takes: Reply | None
    headers: tuple[Header, ...]
    query: type[BaseModel] | None
    replies: dict[int, Reply]
    problems: tuple[int, ...] | None  # None: a probe that never answers a problem
    description: str
    security: tuple[str, ...] | None  # None: as @authenticated says
    body_optional: bool = False  # no body at all reads as {} (every field's default)

    @property
    def success(self) -> int:
        return min(self.replies)


def _reply(value: Any) -> Reply:
    return value if isinstance(value, Reply) else Reply(value)


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def json_body() -> Any:
    """The request's JSON, parsed strictly: a body that is not JSON is a 400 saying why."""
    if not request.is_json:
        raise ServiceError(_("Send a JSON body with 'Content-Type: application/json'."))
    try:
        data = current_app.json.loads(request.get_data(cache=True))
    except ValueError as error:  # the reader says what is wrong: "numbers must be finite", ...
        raise ServiceError(_("The body is not valid JSON: %(problem)s.", problem=error)) from None
    if data is None:
        raise ServiceError(_("The body is not valid JSON: it is null."))
    return data


def _respond(spec: Operation, result: Any) -> Any:
    if isinstance(result, Response):
        return result  # a file, a CSV: the handler made it
    headers: dict[str, str] = {}
    status = spec.success
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    reply = spec.replies.get(status)
    if reply is None:
        raise RuntimeError(f"{request.endpoint} answered {status}, which it does not declare")
    if reply.body is None:
        return Response(status=status, headers=headers)
    if not reply.is_json:
        return Response(result, status=status, headers=headers, mimetype=reply.media)
    # Serialised through the declared type: a field it does not name never leaves, and in the
    # tests a value of the wrong type fails loudly instead of drifting from the document.
    warnings = "error" if current_app.testing else "warn"
    body = _adapter(reply.body).dump_json(result, warnings=warnings)
    return Response(body, status=status, headers=headers, mimetype=reply.media)


def operation(
    summary: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, Any] | None = None,
    problems: tuple[int, ...] | None = (),
    description: str = "",
    security: tuple[str, ...] | None = None,
    takes: Reply | None = None,
    headers: tuple[Header, ...] = (),
    body_optional: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a JSON operation (see the module's docstring). Place it below `@authenticated`,
    so that a caller is known before their input is read. `takes` documents a body the handler
    reads itself (an upload), `headers` the request headers it reads itself; `body_optional`
    reads a request without a body as `{}`, and the document says the body may be left out."""
    spec = Operation(
        summary=summary,
        tag=tag,
        body=body,
        takes=takes,
        headers=headers,
        query=query,
        replies={status: _reply(value) for status, value in (responses or {200: None}).items()},
        problems=problems,
        description=description,
        security=security,
        body_optional=body_optional,
    )

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def handler(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                sent = json_body() if request.content_length or not body_optional else {}
                kwargs["body"] = validated(body, sent)
            if query is not None:
                kwargs["query"] = validated(query, request.args.to_dict())
            return _respond(spec, view(*args, **kwargs))

        handler.operation = spec  # type: ignore[attr-defined]
        return handler

    return decorator


# --- the document ---------------------------------------------------------------------------

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")


def _declared(view: Callable[..., Any]) -> tuple[Operation | None, Access | None]:
    """The operation and the access rule a route's view carries, through its decorators."""
    found: Operation | None = None
    access: Access | None = None
    layer: Any = view
    while layer is not None:
        found = found or getattr(layer, "operation", None)
        access = access or getattr(layer, "access", None)
        layer = getattr(layer, "__wrapped__", None)
    return found, access


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _PARAMETER.finditer(rule.rule):
        whole = match["converter"] == "int"
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID} if whole else {"type": "string"}
        )
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    path = _PARAMETER.sub(lambda match: "{" + match["name"] + "}", rule.rule)
    return path, parameters


def _component_name(kind: Any, schema: dict[str, Any]) -> str | None:
    """A type's name in the document; a generic one is named for what it holds (Page[Lead] is
    PageOfLead), since pydantic titles every Page[...] alike."""
    arguments = get_args(kind)
    if get_origin(kind) is not None and arguments:
        held = "And".join(getattr(argument, "__name__", "Item") for argument in arguments)
        return f"{get_origin(kind).__name__}Of{held}"
    title: str | None = schema.get("title") or getattr(kind, "__name__", None)
    return title


class _Components:
    """The named schemas of the document, gathered from every declared model."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        known = self.schemas.setdefault(name, schema)
        if known != schema:
            raise RuntimeError(f"two declared types are both named {name!r}; rename one")

    def ref(self, kind: Any, mode: str) -> dict[str, Any]:
        schema = _adapter(kind).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self._add(name, definition)
        name = _component_name(kind, schema)
        if not name or schema.get("type") != "object":
            return schema  # a list, a scalar: inline
        schema["title"] = name
        self._add(name, schema)
        return {"$ref": REF.format(model=name)}

    def query_parameters(self, model: type[BaseModel]) -> list[dict[str, Any]]:
        schema = _adapter(model).json_schema(ref_template=REF, mode="validation")
        required = set(schema.get("required", ()))
        parameters = []
        for name, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            prop.pop("title", None)
            parameter = {"name": name, "in": "query", "required": name in required}
            if "description" in prop:
                parameter["description"] = prop.pop("description")
            parameters.append({**parameter, "schema": prop})
        return parameters


def _access_note(access: Access) -> str:
    who = f"Needs the role {' or '.join(access.roles)}. " if access.roles else ""
    if access.any_key:
        return who + "Any of the account's integration keys may call this."
    if access.scope:
        return who + f"An integration key needs the scope {access.scope}."
    return who + "A signed-in person only: integration keys cannot do this."


def _operation_document(
    spec: Operation, access: Access | None, rule: Rule, parameters: list[Any], parts: _Components
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": rule.endpoint.rpartition(".")[2],
        "tags": [spec.tag],
        "responses": {},
    }
    notes = " ".join(note for note in (spec.description, access and _access_note(access)) if note)
    if notes:
        document["description"] = notes
    parameters = parameters + [header.parameter() for header in spec.headers]
    if spec.query is not None:
        parameters = parameters + parts.query_parameters(spec.query)
    if parameters:
        document["parameters"] = parameters
    if spec.body is not None:
        document["requestBody"] = {
            "required": not spec.body_optional,
            "content": {"application/json": {"schema": parts.ref(spec.body, "validation")}},
        }
    elif spec.takes is not None:
        document["requestBody"] = {
            "required": True,
            "content": {spec.takes.media: {"schema": spec.takes.body}},
        }
    for status, reply in sorted(spec.replies.items()):
        answer: dict[str, Any] = {"description": reply.description}
        if reply.headers:
            answer["headers"] = reply.headers
        if reply.body is not None:
            schema = (
                reply.body
                if isinstance(reply.body, dict)
                else parts.ref(reply.body, "serialization")
            )
            answer["content"] = {reply.media: {"schema": schema}}
            for media, other in reply.alternatives.items():
                answer["content"][media] = {"schema": other}
        document["responses"][str(status)] = answer
    problems = set() if spec.problems is None else {*spec.problems, 400, 429, 503}
    if access is not None:
        problems |= {401} | ({403} if access.roles or not access.any_key else set())
    reads_input = spec.body is not None or spec.takes is not None or spec.query is not None
    if reads_input and spec.problems is not None:
        problems.add(422)
    for status in sorted(problems):
        answer = _TRY_AGAIN_LATER if status in (429, 503) else _PROBLEM
        document["responses"].setdefault(str(status), answer)
    if spec.security is not None:
        document["security"] = [{scheme: []} for scheme in spec.security]
    else:
        document["security"] = [{"bearer": []}] if access is not None else []
    if access is not None:
        # Machine-readable for clients and the tests: the scopes a key needs, null for none.
        document["x-integration-key-scopes"] = access.key_scopes
    return document


def declared_operations(app: Flask) -> Iterator[tuple[Rule, Operation, Access | None]]:
    for rule in app.url_map.iter_rules():
        spec, access = _declared(app.view_functions[rule.endpoint])
        if spec is not None:
            yield rule, spec, access


def document(app: Flask, info: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared operation of `app`."""
    parts = _Components()
    paths: dict[str, Any] = {}
    for rule, spec, access in declared_operations(app):
        path, parameters = _path(rule)
        inside = path.startswith(API_ROOT + "/")
        item = paths.setdefault(path.removeprefix(API_ROOT) if inside else path, {})
        if not inside:
            item["servers"] = AT_ROOT
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item[method.lower()] = _operation_document(spec, access, rule, parameters, parts)
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": API_ROOT}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(parts.schemas.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                # IndiaMART's pull takes the integration key in the query, as IndiaMART does.
                "indiamartKey": {"type": "apiKey", "in": "query", "name": "glusr_crm_key"},
                # A consent manager signs each call with its Ed25519 key (four headers).
                "consentManagerSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Consent-Manager-Signature",
                    "description": "Ed25519 signature of METHOD, PATH, TIMESTAMP, NONCE and the "
                    "body's SHA-256, with X-Consent-Manager-Id, -Timestamp and -Nonce",
                },
            },
        },
    }
