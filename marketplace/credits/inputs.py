"""What may be sent about credits: an order for a pack (the API and the credits page), an
admin's refund, an operator's goodwill grant. Rules that need the database stay in the services."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator

from marketplace.credits.plans import Pack, packs
from marketplace.fields import Text, WholeNumber, refuse
from marketplace.validation import Invalid


def Unknown(message: str) -> Any:
    """The type of a model's extra keys (with `extra="allow"`): each one is refused with
    `message`, alongside the model's other refusals, and the document says no other keys."""

    def read(raw: Any) -> Any:
        raise refuse(message)

    return Annotated[Any, PlainValidator(read)]


def find_pack(pack_id: str) -> Pack:
    for pack in packs():
        if pack.id == pack_id:
            return pack
    raise Invalid("must be one of: " + ", ".join(pack.id for pack in packs()))


class OrderIn(BaseModel):
    """An order for a credit pack: its id, nothing else (the price is the portal's)."""

    model_config = ConfigDict(
        extra="allow", title="OrderInput", json_schema_extra={"additionalProperties": False}
    )
    __pydantic_extra__: dict[str, Unknown("is not a field of an order")]

    pack: Text(max_length=32, check=find_pack, description="a pack's id")


class RefundIn(BaseModel):
    """Why an admin refunds an order: printed on the credit note, told to the supplier."""

    model_config = ConfigDict(title="RefundInput")

    reason: Text(min_length=3, max_length=300)


class GoodwillIn(BaseModel):
    """Credits an operator gives by hand (`flask credits grant`)."""

    model_config = ConfigDict(title="GoodwillInput")

    credits: WholeNumber(minimum=1, maximum=10_000)
    reason: Text(min_length=3, max_length=200)
