"""A supplier's team: the owner invites people by email with a role, changes their role, marks
them away, and removes them. Each member signs in as themselves, with the password they chose
from the invitation's link.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace import audit, signals
from marketplace.accounts import policy
from marketplace.accounts.api_keys import keys_made_by
from marketplace.accounts.business import RIGHTS, ROLE_NAMES, BusinessRole, Right
from marketplace.accounts.details import check_new_password, refuse_duplicates
from marketplace.accounts.links import load_link, serializer
from marketplace.accounts.models import Role, SupplierProfile, User, UserRole
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.accounts.team_inputs import MemberChange, MemberIn
from marketplace.accounts.team_models import TeamMember
from marketplace.db import get_owned, utcnow
from marketplace.errors import FieldErrors, ValidationFailed
from marketplace.extensions import db
from marketplace.legal_rules import ADULT_AGE
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy.services import initial_consents, record_consents

INVITATION_TTL = timedelta(days=7)
_PURPOSE = "team-invitation"


def team_business(user: User) -> SupplierProfile:
    """The business whose team the caller manages: only its owner does (a 403 for anyone else)."""
    return policy.business_of(user, _l("manage the team"), Right.TEAM)


def members(user: User) -> list[TeamMember]:
    """The team as its owner sees it: everyone invited and not removed, in the order invited."""
    business = team_business(user)
    return list(
        db.session.scalars(
            select(TeamMember)
            .where(TeamMember.supplier_id == business.id, TeamMember.removed_at.is_(None))
            .order_by(TeamMember.id)
        )
    )


def _member(user: User, member_id: int) -> TeamMember:
    business = team_business(user)
    return get_owned(
        TeamMember,
        member_id,
        (TeamMember.supplier_id == business.id) & TeamMember.removed_at.is_(None),
    )


def invitation_token(member: TeamMember) -> str:
    # The account's session nonce changes when the password is first chosen: a used link dies.
    return serializer(_PURPOSE).dumps({"member": member.id, "nonce": member.user.session_nonce})


def invite(user: User, body: MemberIn) -> TeamMember:
    """An account for the new member (no password anyone knows, closed until they join) and an
    email with the link to choose one. An email that has an account already is refused: a
    member's account is theirs for this business alone."""
    business = team_business(user)
    refuse_duplicates(email=body.email)
    person = User(
        email=body.email,
        name=body.name,
        password_hash=hash_password(secrets.token_urlsafe(32)),
        is_active_account=False,
        language=user.language,  # a guess until they choose: the business's working language
    )
    person.role_rows = [UserRole(role=Role.TEAM_MEMBER)]
    member = TeamMember(supplier=business, user=person, role=body.role, invited_by_id=user.id)
    db.session.add(member)
    db.session.flush()
    audit.record("team.invited", actor_id=user.id, subject=member, role=str(body.role))
    send_email(
        person.email,
        _l("%(company)s invites you to TradeSetu", company=business.company_name),
        "team_invitation",
        language=person.language,
        member=member,
        business=business,
        role=ROLE_NAMES[BusinessRole(member.role)],
        link=absolute_url("team.join", token=invitation_token(member)),
        days=INVITATION_TTL.days,
    )
    return member


def invited_member(token: Any) -> TeamMember:
    """The member an invitation's link names, while it can still be used (a 422 otherwise)."""
    payload = load_link(_PURPOSE, token, INVITATION_TTL)
    member = db.session.get(TeamMember, payload.get("member"))
    if (
        member is None
        or member.joined_at is not None
        or member.removed_at is not None
        or payload.get("nonce") != member.user.session_nonce
    ):
        raise ValidationFailed(
            {"token": ["this invitation has already been used or was withdrawn"]},
            "This invitation has already been used or was withdrawn.",
        )
    return member


def join(token: Any, password: Any, *, age_confirmed: bool, accept_terms: bool) -> User:
    """The invited person chooses a password, says they are an adult and accepts the terms, as
    anyone registering does: their account opens, with its consents recorded, and they act for
    the business within their role from their first sign-in."""
    member = invited_member(token)
    person = member.user
    errors = FieldErrors()
    check_new_password(errors, "password", password, person)
    if age_confirmed is not True:
        errors.add(
            "age_confirmed", _("you must be %(age)s or older to hold an account", age=ADULT_AGE)
        )
    if accept_terms is not True:
        errors.add("accept_terms", _("you must accept the terms of use and the privacy policy"))
    if errors:
        raise ValidationFailed(errors.errors)
    now = utcnow()
    person.password_hash = hash_password(password)
    person.is_active_account = True
    person.email_verified_at = now  # the link reached this address
    person.terms_version = current_app.config["TERMS_VERSION"]
    person.age_confirmed_at = now
    person.session_nonce = secrets.token_urlsafe(16)
    member.joined_at = now
    record_consents(person.id, initial_consents({}), source="team_invitation")
    audit.record("team.joined", actor_id=person.id, subject=member, role=str(member.role))
    return person


def change(user: User, member_id: int, body: MemberChange) -> TeamMember:
    member = _member(user, member_id)
    changes: dict[str, Any] = {}
    if body.role is not None and body.role != member.role:
        changes["role"] = [str(member.role), str(body.role)]
        member.role = body.role
        if not RIGHTS[BusinessRole(body.role.value)] & {Right.INTEGRATIONS}:
            # Demoted below keys: the keys they made (they saw the secrets) stop at once.
            made = keys_made_by(member.user)
            for key in made:
                key.revoked_at = utcnow()
            changes["keys_revoked"] = len(made)
    if body.away is not None and body.away != member.away:
        changes["away"] = body.away
        member.away = body.away
    if changes:
        db.session.flush()
        audit.record("team.changed", actor_id=user.id, subject=member, **changes)
        signals.team_member_changed.send(member.user_id, supplier_id=member.supplier_id)
    return member


def remove(user: User, member_id: int) -> dict[str, int]:
    """Remove a member at once: their account closes, every session and session token of
    theirs ends, the integration keys they made (they saw the secret) are revoked, and their
    open leads go back to be assigned again (the leads domain hears it and does so)."""
    member = _member(user, member_id)
    person = member.user
    member.removed_at = utcnow()
    person.is_active_account = False
    ended = sign_out_everywhere(person, revoke_keys=True)
    made = keys_made_by(person)
    for key in made:
        key.revoked_at = member.removed_at
    db.session.flush()
    ended["keys_revoked"] += len(made)
    audit.record("team.removed", actor_id=user.id, subject=member, **ended)
    signals.team_member_changed.send(member.user_id, supplier_id=member.supplier_id)
    return ended
