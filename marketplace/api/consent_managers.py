"""Consent managers over JSON (DPDP Act 2023 s.6(7)-(9), DPDP Rules 2025 r.4).

The grievance officer registers, lists and suspends managers with a bearer token. A manager's
own calls carry no token: each is signed with the manager's Ed25519 key and is accepted once,
within five minutes of its timestamp (marketplace.privacy.manager_signatures). The person is
named in the body, never in the URL, so that their email or number stays out of access logs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from marketplace.accounts.policy import OFFICER_ROLES
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.errors import ServiceError
from marketplace.extensions import db
from marketplace.openapi import Header, json_body, operation
from marketplace.privacy import consent_managers, manager_schemas, manager_signatures, schemas
from marketplace.privacy.consent_inputs import (
    ConsentManagerChangeIn,
    ConsentManagerIn,
    PrincipalConsentIn,
    PrincipalIn,
)
from marketplace.privacy.manager_models import ConsentManager
from marketplace.privacy.purposes import PURPOSES

SIGNED_HEADERS = (
    Header(manager_signatures.MANAGER_HEADER, "the consent manager's id, as registered here"),
    Header(manager_signatures.TIMESTAMP_HEADER, "Unix time in seconds; within 5 minutes"),
    Header(manager_signatures.NONCE_HEADER, "16-64 letters, digits, - or _; used once"),
    Header(
        manager_signatures.SIGNATURE_HEADER,
        "base64 Ed25519 signature of METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))",
    ),
)
SIGNED = {"security": ("consentManagerSignature",), "headers": SIGNED_HEADERS}


def _signed_path() -> str:
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def signed_by_consent_manager(view: Callable[..., Any]) -> Callable[..., Any]:
    """Verify the manager's signature before the body is read (placed above @operation)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.is_json:
            json_body()  # not JSON at all is a 400 for every caller, as on every JSON route
        g.consent_manager = manager_signatures.verify(
            request.method, _signed_path(), request.headers, request.get_data(cache=True)
        )
        try:
            with db.session.begin_nested():
                return view(*args, **kwargs)
        except ServiceError as refused:
            # The call's own writes are undone with the savepoint; its nonce stays used, so a
            # refused call cannot be replayed either.
            refused.keep_writes = True
            raise

    return wrapper


def current_manager() -> ConsentManager:
    manager: ConsentManager = g.consent_manager
    return manager


# --- the grievance officer ----------------------------------------------------------------------


@bp.get("/consent-managers")
@authenticated(*OFFICER_ROLES, person=True)
@operation(
    "Grievance officer: the registered consent managers",
    tag="privacy",
    responses={200: list[manager_schemas.ConsentManager]},
)
def consent_manager_list():  # type: ignore[no-untyped-def]
    return [manager_schemas.manager_officer(row) for row in consent_managers.managers()]


@bp.post("/consent-managers")
@authenticated(person=True)  # privacy.policy lets the grievance officer
@operation(
    "Grievance officer: register a consent manager (its name, Board registration number and "
    "Ed25519 public key)",
    tag="privacy",
    body=ConsentManagerIn,
    responses={201: manager_schemas.ConsentManager},
    problems=(409,),
)
def register_consent_manager(body: ConsentManagerIn):  # type: ignore[no-untyped-def]
    manager = consent_managers.register(current_api_user(), body)
    return manager_schemas.manager_officer(manager), 201


@bp.patch("/consent-managers/<int:manager_id>")
@authenticated(person=True)  # privacy.policy lets the grievance officer
@operation(
    "Grievance officer: suspend a consent manager, or restore it",
    tag="privacy",
    body=ConsentManagerChangeIn,
    responses={200: manager_schemas.ConsentManager},
    problems=(404,),
)
def change_consent_manager(manager_id: int, body: ConsentManagerChangeIn):  # type: ignore[no-untyped-def]
    manager = consent_managers.change_status(current_api_user(), manager_id, body)
    return manager_schemas.manager_officer(manager)


@bp.delete("/consent-managers/<int:manager_id>")
@authenticated(*OFFICER_ROLES, person=True)
@operation(
    "Grievance officer: suspend a consent manager (kept, since the consent history names it)",
    tag="privacy",
    responses={204: None},
    problems=(404,),
)
def suspend_consent_manager(manager_id: int):  # type: ignore[no-untyped-def]
    body = ConsentManagerChangeIn.model_validate({"status": "suspended"})
    consent_managers.change_status(current_api_user(), manager_id, body)
    return None, 204


# --- a consent manager, acting for a person -----------------------------------------------------


@bp.post("/consent-managers/principal-consents")
@signed_by_consent_manager
@operation(
    "Consent manager (signed): a person's current consents, the person named by the email or "
    "mobile number of their account",
    tag="privacy",
    body=PrincipalIn,
    responses={200: schemas.Consents},
    problems=(401, 403, 404),
    **SIGNED,
)
def principal_consents(body: PrincipalIn):  # type: ignore[no-untyped-def]
    user = consent_managers.read_for(current_manager(), body)
    return schemas.consents_owner(user.id)


@bp.put("/consent-managers/principal-consents/<purpose>")
@signed_by_consent_manager
@operation(
    "Consent manager (signed): record a person's grant or withdrawal of an optional purpose, "
    "in the same consent history, marked with the manager",
    tag="privacy",
    body=PrincipalConsentIn,
    responses={200: schemas.Consents},
    problems=(401, 403, 404),
    description="purpose: one of " + ", ".join(purpose.id for purpose in PURPOSES) + ".",
    **SIGNED,
)
def record_principal_consent(purpose: str, body: PrincipalConsentIn):  # type: ignore[no-untyped-def]
    user = consent_managers.record_for(current_manager(), purpose, body)
    return schemas.consents_owner(user.id)
