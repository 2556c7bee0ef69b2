"""Staff accounts and roles, for operators (through the CLI); every change is audited.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from marketplace import audit
from marketplace.accounts import identity
from marketplace.accounts.details import (
    person_name,
    personal_details,
    read_password,
    refuse_duplicates,
)
from marketplace.accounts.models import STAFF_ROLES, Role, User, UserRole
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.queries import find_user_by_email
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.validation import Input, Invalid


def create_staff_user(*, email: str, name: str, password: str, role: str) -> User:
    inp = Input({"email": email, "name": name, "password": password, "role": role})
    email = inp.text("email", max_length=254, check=identity.check_email)
    name = inp.text("name", min_length=2, max_length=100, check=person_name)
    staff_role = inp.text("role", check=_staff_role)
    password = read_password(inp, "password", personal_details(email, name))
    inp.raise_if_invalid()
    refuse_duplicates(email=email)
    now = utcnow()
    user = User(
        email=email, name=name, password_hash=hash_password(password), email_verified_at=now
    )
    user.role_rows = [UserRole(role=staff_role)]
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", subject=user, role=str(staff_role))
    audit.record("role.granted", subject=user, role=str(staff_role))
    return user


def change_role(email: str, role: str, *, grant: bool) -> User:
    """Grant or revoke a role (operators, through the CLI); every change is audited."""
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
    if not grant and len(user.role_rows) == 1:
        raise ValidationFailed({"role": ["an account keeps at least one role"]})
    if grant:
        user.role_rows.append(UserRole(role=wanted))
    else:
        user.role_rows = [row for row in user.role_rows if row.role != wanted]
    audit.record("role.granted" if grant else "role.revoked", subject=user, role=str(wanted))
    return user


def _staff_role(value: str) -> Role:
    if value not in STAFF_ROLES:
        raise Invalid(f"must be one of {', '.join(STAFF_ROLES)}")
    return Role(value)
