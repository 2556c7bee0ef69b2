"""What the owner sends to invite, change and remove team members (the API's bodies, which the
team page's forms are read into too)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from marketplace.accounts import identity
from marketplace.accounts.details import person_name
from marketplace.accounts.team_models import TeamRole
from marketplace.fields import Text


class MemberIn(BaseModel):
    model_config = ConfigDict(title="TeamMemberInvite", extra="forbid")

    email: Text(max_length=254, check=identity.check_email)
    name: Text(min_length=2, max_length=100, check=person_name)
    role: Annotated[TeamRole, Field(description="manager, sales or catalogue")]


class MemberChange(BaseModel):
    model_config = ConfigDict(title="TeamMemberChange", extra="forbid")

    role: Annotated[TeamRole | None, Field(description="manager, sales or catalogue")] = None
    away: Annotated[
        bool | None,
        Field(description="away (leave, travel): new leads pass them by until they are back"),
    ] = None
