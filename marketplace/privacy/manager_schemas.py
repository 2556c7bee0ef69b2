"""What the grievance officer sees of a registered consent manager."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.privacy.manager_models import ConsentManager as ConsentManagerRow
from marketplace.privacy.manager_models import ManagerStatus

_STATUS = Field(json_schema_extra={"enum": [status.value for status in ManagerStatus]})


class ConsentManager(TypedDict):
    id: int
    name: str
    registration_number: str
    public_key: Annotated[str, Field(description="Ed25519 public key, 32 bytes in base64")]
    status: Annotated[str, _STATUS]
    registered_at: Timestamp
    suspended_at: MaybeTimestamp


def manager_officer(row: ConsentManagerRow) -> ConsentManager:
    return {
        "id": row.id,
        "name": row.name,
        "registration_number": row.registration_number,
        "public_key": row.public_key,
        "status": row.status.value,
        "registered_at": row.registered_at,
        "suspended_at": row.suspended_at,
    }
