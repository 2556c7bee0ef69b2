"""The supplier's team over JSON: only the business's owner invites, changes and removes its
members (a person, never an integration key)."""

from __future__ import annotations

from marketplace.accounts import team
from marketplace.accounts import team_schemas as schemas
from marketplace.accounts.models import Role
from marketplace.accounts.team_inputs import MemberChange, MemberIn
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.fields import Page
from marketplace.openapi import Reply, operation


@bp.get("/team/members")
@authenticated(Role.SUPPLIER, person=True)
@operation(
    "My business's team: everyone invited and not removed, all on one page",
    tag="team",
    responses={200: Page[schemas.Member]},
)
def team_members():  # type: ignore[no-untyped-def]
    return schemas.members(team.members(current_api_user()))


@bp.post("/team/members")
@authenticated(Role.SUPPLIER, person=True)
@operation(
    "Invite a person by email with a role (manager, sales or catalogue): they get a link to "
    "choose their own password",
    tag="team",
    body=MemberIn,
    responses={201: Reply(schemas.Member, "Invited")},
    problems=(409,),
)
def invite_member(body: MemberIn):  # type: ignore[no-untyped-def]
    return schemas.member(team.invite(current_api_user(), body)), 201


@bp.patch("/team/members/<int:member_id>")
@authenticated(Role.SUPPLIER, person=True)
@operation(
    "Change a member's role, or mark them away (new leads pass them by) or back",
    tag="team",
    body=MemberChange,
    responses={200: schemas.Member},
    problems=(404,),
)
def change_member(member_id: int, body: MemberChange):  # type: ignore[no-untyped-def]
    return schemas.member(team.change(current_api_user(), member_id, body))


@bp.delete("/team/members/<int:member_id>")
@authenticated(Role.SUPPLIER, person=True)
@operation(
    "Remove a member at once: their sessions end, the keys they made are revoked and their "
    "open leads are assigned again",
    tag="team",
    responses={204: Reply(None, "Removed")},
    problems=(404,),
)
def remove_member(member_id: int):  # type: ignore[no-untyped-def]
    team.remove(current_api_user(), member_id)
    return None, 204
