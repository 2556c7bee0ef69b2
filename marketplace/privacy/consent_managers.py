"""Consent managers (DPDP Act 2023 s.6(7)-(9), DPDP Rules 2025 r.4): the officer registers and
suspends them; a registered manager, acting for a person, reads that person's consents and
records their grants and withdrawals in the same consent ledger, marked with the manager.

The person is named as the manager knows them: the email or the mobile number of their account
here. The manager is the person's own agent under s.6(7) (the person registered with it and
asked it to act); the portal checks that the call is signed by a registered, active manager and
that the person has a live account here, and shows the person every choice a manager made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.crypto import blind_index
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.privacy import clock, policy, purposes, services
from marketplace.privacy.consent_inputs import (
    ConsentManagerChangeIn,
    ConsentManagerIn,
    PrincipalConsentIn,
    PrincipalIn,
)
from marketplace.privacy.manager_models import ConsentManager, ManagerStatus
from marketplace.privacy.models import ConsentRecord


def register(actor: User, body: ConsentManagerIn) -> ConsentManager:
    policy.require_manage_consent_managers(actor)
    taken = select(ConsentManager.id).where(
        func.lower(ConsentManager.registration_number) == body.registration_number.lower()
    )
    if db.session.scalar(taken) is not None:
        raise Conflict(_("A consent manager with this registration number is registered already."))
    manager = ConsentManager(
        name=body.name,
        registration_number=body.registration_number,
        public_key=body.public_key,
        registered_by_id=actor.id,
    )
    db.session.add(manager)
    db.session.flush()
    audit.record("privacy.consent_manager_registered", actor_id=actor.id, subject=manager)
    return manager


def managers() -> list[ConsentManager]:
    return list(db.session.scalars(select(ConsentManager).order_by(ConsentManager.id)))


def get_manager(manager_id: int) -> ConsentManager:
    manager = db.session.get(ConsentManager, manager_id)
    if manager is None:
        raise NotFound(_("No such consent manager."))
    return manager


def change_status(actor: User, manager_id: int, body: ConsentManagerChangeIn) -> ConsentManager:
    """Suspend (its calls are refused at once) or restore a manager; never deleted, since the
    ledger names it."""
    policy.require_manage_consent_managers(actor)
    manager = get_manager(manager_id)
    status = ManagerStatus(body.status)
    if manager.status != status:
        manager.status = status
        manager.suspended_at = clock.now() if status == ManagerStatus.SUSPENDED else None
        audit.record(
            f"privacy.consent_manager_{'suspended' if manager.suspended_at else 'restored'}",
            actor_id=actor.id,
            subject=manager,
        )
    return manager


# --- a manager acting for a person ------------------------------------------------------------


def principal(body: PrincipalIn) -> User:
    """The live account the manager names, by its email or its mobile number."""
    if body.email is not None:
        query = select(User).where(User.email == body.email)
    else:
        query = select(User).where(User.phone_digest == blind_index(body.phone or ""))
    user = db.session.scalar(query)
    if user is None or user.erased_at is not None:
        raise NotFound(_("No account here has that email or mobile number."))
    return user


def read_for(manager: ConsentManager, body: PrincipalIn) -> User:
    """The person whose consents the manager reads (the read is audited)."""
    user = principal(body)
    audit.record("privacy.consents_read_by_manager", subject=user, consent_manager_id=manager.id)
    return user


def record_for(manager: ConsentManager, purpose_id: str, body: PrincipalConsentIn) -> User:
    """The person's grant or withdrawal, through the manager: the same ledger entry as one made
    on the privacy page, with the manager's id."""
    user = principal(body)
    services.set_consent(
        user, purpose_id, body, source="consent-manager", consent_manager_id=manager.id
    )
    return user


@dataclass(frozen=True)
class ManagerChoice:
    manager_name: str
    registration_number: str
    purpose: purposes.Purpose
    granted: bool
    recorded_at: datetime


def choices_through_managers(user_id: int, limit: int = 100) -> list[ManagerChoice]:
    """For the person's privacy page: which manager granted or withdrew what, and when."""
    rows = db.session.execute(
        select(ConsentRecord, ConsentManager.name, ConsentManager.registration_number)
        .join(ConsentManager, ConsentManager.id == ConsentRecord.consent_manager_id)
        .where(ConsentRecord.user_id == user_id)
        .order_by(ConsentRecord.id.desc())
        .limit(limit)
    ).all()
    return [
        ManagerChoice(
            name, number, purposes.BY_ID[record.purpose], record.granted, record.recorded_at
        )
        for record, name, number in rows
        if record.purpose in purposes.BY_ID
    ]
