"""Factories: registered users made through the real service, with valid Indian identifiers."""

from __future__ import annotations

import itertools
import random
import string
from dataclasses import dataclass
from typing import Any

from marketplace.accounts.identity import gstin_check_character
from marketplace.accounts.inputs import RegistrationIn
from marketplace.accounts.models import User
from marketplace.accounts.registration import register_account
from marketplace.accounts.staff import create_staff_user
from marketplace.db import commit

PASSWORD = "saffron-kettle-harbour-42"
_serial = itertools.count(1)


def make_pan(holder_type: str = "F", rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    digits = f"{rng.randint(1, 9999):04d}"
    return f"{letters[:3]}{holder_type}{letters[3]}{digits}{rng.choice(string.ascii_uppercase)}"


def make_gstin(state_code: str = "27", pan: str | None = None) -> str:
    body = f"{state_code}{pan or make_pan()}1Z"
    return body + gstin_check_character(body)


def unique_mobile() -> str:
    return f"+9198{next(_serial) + random.randint(0, 10**7):08d}"[:13]


@dataclass
class Registered:
    id: int
    email: str
    password: str
    gstin: str | None = None
    phone: str | None = None


def registration(role: str = "buyer", **overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    data: dict[str, Any] = {
        "role": role,
        "name": "Asha Rao",
        "email": f"user{n}-{random.randint(0, 10**9)}@example.in",
        "phone": unique_mobile(),
        "password": PASSWORD,
        "age_confirmed": True,
        "accept_terms": True,
    }
    if role == "supplier":
        data.update(
            company_name=f"Rao Steel Traders {n}",
            gstin=make_gstin("27"),
            address={
                "line1": "Plot 12, MIDC Bhosari",
                "city": "Pune",
                "state": "Maharashtra",
                "pincode": "411026",
            },
        )
    data.update(overrides)
    return data


def _register(data: dict[str, Any]) -> Registered:
    user = register_account(RegistrationIn.model_validate(data))
    commit()
    return Registered(user.id, user.email, data["password"], data.get("gstin"), user.phone)


def buyer(**overrides: Any) -> Registered:
    return _register(registration("buyer", **overrides))


def supplier(**overrides: Any) -> Registered:
    return _register(registration("supplier", **overrides))


def staff(role: str = "grievance_officer", email: str | None = None) -> Registered:
    email = email or f"officer{next(_serial)}@tradesetu.example"
    user: User = create_staff_user(email=email, name="Meera Iyer", password=PASSWORD, role=role)
    commit()
    return Registered(user.id, user.email, PASSWORD)
