"""What the owner sees of the team."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from marketplace.accounts.team_models import TeamMember
from marketplace.fields import MaybeTimestamp, Page, Timestamp


class Member(TypedDict):
    id: int
    email: str
    name: str
    role: Annotated[str, Field(description="manager, sales or catalogue")]
    status: Annotated[
        Literal["invited", "active"],
        Field(description="invited: the person has not chosen a password yet"),
    ]
    away: bool
    invited_at: Timestamp
    joined_at: MaybeTimestamp
    last_sign_in_at: MaybeTimestamp


def member(row: TeamMember) -> Member:
    return {
        "id": row.id,
        "email": row.user.email,
        "name": row.user.name,
        "role": str(row.role),
        "status": "active" if row.joined_at else "invited",
        "away": row.away,
        "invited_at": row.invited_at,
        "joined_at": row.joined_at,
        "last_sign_in_at": row.user.last_sign_in_at,
    }


def members(rows: list[TeamMember]) -> Page[Member]:
    items = [member(row) for row in rows]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}
