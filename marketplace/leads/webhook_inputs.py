"""What a supplier may send to register a webhook: where to (a URL we may call), which events,
in which format. Whether the supplier may have another one is the service's to say."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator

from marketplace.fields import REQUIRED, Text, refuse
from marketplace.leads.models import WebhookEvent
from marketplace.leads.webhook_targets import target_problem
from marketplace.validation import Invalid, refuse_field

EVENTS = tuple(str(event) for event in WebhookEvent)
# "indiamart": IndiaMART's push format, for connectors written for it; it carries new leads only.
FORMATS = ("native", "indiamart")
MAX_URL_LENGTH = 2000
_FIELDS = ("url", "events", "format")


def _check_url(value: str) -> str:
    if any(char.isspace() for char in value):
        raise Invalid(_("must not contain spaces"))
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise Invalid(_("is not a valid URL")) from None
    if parts.scheme not in ("https", "http"):
        raise Invalid(_("must start with https:// (or http://)"))
    if not parts.hostname:
        raise Invalid(_("must name a host, e.g. https://crm.example.com/hooks/tradesetu"))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Invalid(_("must not contain a user name or password; the signature authenticates us"))
    problem = target_problem(value)
    if problem:
        raise Invalid(problem)
    return value


def _events(raw: Any) -> list[str]:
    if raw is None:
        raise refuse(REQUIRED)
    if not isinstance(raw, list) or not raw:
        raise refuse(_("must be a non-empty list of: %(events)s", events=", ".join(EVENTS)))
    unknown = [item for item in raw if not isinstance(item, str) or item not in EVENTS]
    if unknown:
        raise refuse(
            _(
                "unknown event %(event)s; the events are: %(events)s",
                event=repr(unknown[0]),
                events=", ".join(EVENTS),
            )
        )
    if len(set(raw)) != len(raw):
        raise refuse(_("must not name an event twice"))
    return list(raw)


def _format(raw: Any) -> str:
    if raw is None:
        return "native"
    if raw not in FORMATS:
        raise refuse(_('must be "native" or "indiamart"'))
    return str(raw)


def _unknown(raw: Any) -> Any:
    raise refuse(_("unknown field; a webhook takes %(fields)s", fields=", ".join(_FIELDS)))


Events = Annotated[
    list[str],
    PlainValidator(_events),
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "enum": list(EVENTS)},
        }
    ),
]
Format = Annotated[
    str,
    PlainValidator(_format),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(FORMATS),
            "default": "native",
            "description": "indiamart: IndiaMART's push format (one new lead in its envelope), "
            "for connectors written for IndiaMART; events must be [lead.created]",
        }
    ),
]


class WebhookIn(BaseModel):
    """A webhook to register."""

    # Extra keys are read (as refusals, each naming the fields there are), not dropped.
    model_config = ConfigDict(
        extra="allow", title="WebhookInput", json_schema_extra={"additionalProperties": False}
    )
    __pydantic_extra__: dict[str, Annotated[Any, PlainValidator(_unknown)]]

    url: Text(
        max_length=MAX_URL_LENGTH,
        check=_check_url,
        description="https:// (or http://), no user name or password; a host that resolves to "
        "a private, loopback or link-local address is refused",
    )
    events: Events
    format: Format = Field("native")

    @model_validator(mode="after")
    def _indiamart_carries_new_leads_only(self) -> WebhookIn:
        if self.format == "indiamart" and self.events != [str(WebhookEvent.LEAD_CREATED)]:
            refuse_field(
                "events", _('the indiamart format carries new leads only: ["lead.created"]')
            )
        return self
