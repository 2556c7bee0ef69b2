"""Staff accounts and roles, for operators (through the CLI); every change is audited.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationInfo, field_validator

from marketplace import audit
from marketplace.accounts import identity
from marketplace.accounts.details import person_name, refuse_duplicates
from marketplace.accounts.inputs import Password, strong_password
from marketplace.accounts.models import STAFF_ROLES, Role, User, UserRole
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.queries import find_user_by_email
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.fields import Text
from marketplace.validation import Invalid, validated


def _staff_role(value: str) -> Role:
    if value not in STAFF_ROLES:
        raise Invalid(f"must be one of {', '.join(STAFF_ROLES)}")
    return Role(value)


class StaffAccountIn(BaseModel):
    """An operator's new staff account (the CLI's arguments), read in order: the password last,
    so that it may contain neither the email nor the name."""

    email: Text(max_length=254, check=identity.check_email)
    name: Text(min_length=2, max_length=100, check=person_name)
    role: Text(check=_staff_role)
    password: Password

    @field_validator("password")
    @classmethod
    def _strong(cls, password: str, info: ValidationInfo) -> str:
        return strong_password(password, info.data)


def create_staff_user(*, email: str, name: str, password: str, role: str) -> User:
    body = validated(
        StaffAccountIn, {"email": email, "name": name, "password": password, "role": role}
    )
    refuse_duplicates(email=body.email)
    now = utcnow()
    user = User(
        email=body.email,
        name=body.name,
        password_hash=hash_password(body.password),
        email_verified_at=now,
    )
    staff_role = body.role
    user.role_rows = [UserRole(role=staff_role)]
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", subject=user, role=str(staff_role))
    audit.record("role.granted", subject=user, role=str(staff_role))
    return user


def change_role(email: str, role: str, *, grant: bool, actor: User | None = None) -> User:
    """Grant or revoke a role (operators through the CLI, an admin on the users page, who is
    the actor); every change is audited."""
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(f"No account has the email {email}.")
    try:
        wanted = Role(role)
    except ValueError:
        raise ValidationFailed({"role": [f"must be one of {', '.join(Role)}"]}) from None
    if grant == user.has_role(wanted):
        return user  # nothing to change, nothing to audit
    if grant and wanted == Role.SUPPLIER and user.supplier is None:
        raise ValidationFailed({"role": ["a supplier registers its business (GSTIN) first"]})
    if grant and wanted in STAFF_ROLES and (user.supplier or user.has_role(Role.TEAM_MEMBER)):
        # Staff see every business's data: a business's own account (or its staff's) never
        # holds that power; a person who is both signs up apart with another email.
        whose = "a supplier's own" if user.supplier else "a supplier's team member's"
        raise ValidationFailed(
            {"role": [f"this is {whose} account; staff roles go to a separate staff account"]}
        )
    if not grant and len(user.role_rows) == 1:
        raise ValidationFailed({"role": ["an account keeps at least one role"]})
    if grant:
        user.role_rows.append(UserRole(role=wanted))
    else:
        user.role_rows = [row for row in user.role_rows if row.role != wanted]
    audit.record(
        "role.granted" if grant else "role.revoked",
        actor_id=actor.id if actor else None,
        subject=user,
        role=str(wanted),
    )
    return user
