"""`flask demo seed`: a realistic catalogue to try the portal with (and to benchmark it).

Suppliers get valid GSTINs from their own state, addresses whose PIN codes belong there, and
products priced in the bands their categories really trade in. Rows are inserted in bulk,
and every demo account shares one bcrypt hash (cost 12), computed once.
"""

from __future__ import annotations

import json
import random
import string
from datetime import timedelta
from importlib import resources
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select

from marketplace.accounts.gst_models import CheckRequester
from marketplace.accounts.gst_registry import SandboxRegistry
from marketplace.accounts.gst_verification import check_gstin
from marketplace.accounts.identity import gstin_check_character
from marketplace.accounts.india import find_state
from marketplace.accounts.models import (
    BUSINESS_TYPES,
    EMPLOYEE_BANDS,
    GstVerification,
    Role,
    SupplierProfile,
    User,
    UserRole,
)
from marketplace.accounts.passwords import DEMO_PASSWORD, hash_password
from marketplace.catalog import categories, indexing
from marketplace.catalog.demo_products import LINES
from marketplace.catalog.models import Product
from marketplace.catalog.taxonomy import Industry
from marketplace.crypto import blind_index
from marketplace.db import commit, utcnow
from marketplace.demo_catalogue import Listings, supplier_industries
from marketplace.demo_history import seed_history
from marketplace.demo_team import TEAM, seed_team, team_email
from marketplace.extensions import db
from marketplace.leads import demo_enquiries
from marketplace.privacy.models import ConsentRecord
from marketplace.privacy.services import initial_consents
from marketplace.reviews.demo import seed_demo_reviews

DEMO_DOMAIN = "demo.tradesetu.in"

# The words the demo's people, businesses and listings are made of are data, in
# demo_vocabulary.json next to this module.
WORDS: dict[str, Any] = json.loads(
    resources.files("marketplace").joinpath("demo_vocabulary.json").read_text(encoding="utf-8")
)
# The first suppliers show one kind of GST receipt each (checked against the GST sandbox).
GST_SUPPLIERS: list[dict[str, str]] = json.loads(
    resources.files("marketplace").joinpath("demo_gst_suppliers.json").read_text(encoding="utf-8")
)["suppliers"]
# Trading towns by state, with the first three digits of their PIN codes.
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    state: tuple((town, pin) for town, pin in towns) for state, towns in WORDS["cities"].items()
}
# Roughly where India's suppliers are: the industrial states list most.
STATE_WEIGHTS: dict[str, int] = WORDS["state_weights"]
SURNAMES: tuple[str, ...] = tuple(WORDS["surnames"])
GIVEN_NAMES: tuple[str, ...] = tuple(WORDS["given_names"])
SUFFIXES: tuple[str, ...] = tuple(WORDS["suffixes"])
TRADEWORDS: dict[str, tuple[str, ...]] = {
    industry: tuple(words) for industry, words in WORDS["trade_words"].items()
}
ESTATES: tuple[str, ...] = tuple(WORDS["estates"])
PROMISES: tuple[str, ...] = tuple(WORDS["promises"])
# A business of that many people usually turns over about this much.
TURNOVER_BANDS_BY_EMPLOYEES: dict[str, str] = WORDS["turnover_bands_by_employees"]


def _singular(name: str) -> str:
    head, _, last = name.rpartition(" ")
    if " and " in name or not last.endswith("s") or last.endswith("ss"):
        return name
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    else:
        last = last[:-1]
    return f"{head} {last}".strip()


def _gstin(rng: random.Random, state_code: str) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    pan = f"{letters[:3]}{rng.choice('CFP')}{letters[3]}{rng.randint(1, 9999):04d}"
    body = f"{state_code}{pan}{rng.choice(string.ascii_uppercase)}{rng.randint(1, 9)}Z"
    return body + gstin_check_character(body)


def _mobile(number: int) -> str:
    return f"+919{number:09d}"[:13]


class Seeder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.now = utcnow()
        self.leaf_ids: dict[str, int] = {}

    def _user_row(self, email: str, name: str, phone: str | None) -> dict[str, Any]:
        return {
            "email": email,
            "name": name,
            "password_hash": self.password_hash,
            "phone": phone,  # the EncryptedText column encrypts it
            "phone_digest": blind_index(phone) if phone else None,
            "email_verified_at": self.now,
            "session_nonce": "".join(self.rng.choice(string.ascii_letters) for _ in range(16)),
            "is_active_account": True,
            "failed_sign_ins": 0,
            "terms_version": "2026-11",
            "age_confirmed_at": self.now,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _insert_users(self, rows: list[dict[str, Any]], roles: tuple[Role, ...]) -> list[int]:
        ids = list(
            db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows)
        )
        db.session.execute(
            insert(UserRole),
            [
                {"user_id": uid, "role": role, "granted_at": self.now}
                for uid in ids
                for role in roles
            ],
        )
        consents = initial_consents({})
        db.session.execute(
            insert(ConsentRecord),
            [
                {
                    "user_id": uid,
                    "purpose": purpose,
                    "granted": granted,
                    "source": "demo",
                    "policy_version": current_app.config["PRIVACY_POLICY_VERSION"],
                    "recorded_at": self.now,
                }
                for uid in ids
                for purpose, granted in consents.items()
            ],
        )
        return ids

    def staff_and_buyers(self, buyers: int) -> None:
        rows = [
            self._user_row(
                f"buyer{n}@{DEMO_DOMAIN}",
                f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(SURNAMES)}",
                _mobile(700_000_000 + n),
            )
            for n in range(1, buyers + 1)
        ]
        self._insert_users(rows, (Role.BUYER,))
        self._insert_users(
            [self._user_row(f"officer@{DEMO_DOMAIN}", "Meera Iyer", None)],
            (Role.GRIEVANCE_OFFICER,),
        )
        self._insert_users(
            [self._user_row(f"admin@{DEMO_DOMAIN}", "Portal Admin", None)], (Role.ADMIN,)
        )

    def suppliers(self, count: int) -> list[tuple[int, tuple[Industry, ...]]]:
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        made = []
        for start in range(0, count, 1000):
            batch = range(start + 1, min(count, start + 1000) + 1)
            plans = []
            for n in batch:
                industries = supplier_industries(self.rng, n)
                state = find_state(self.rng.choices(states, weights)[0])
                city, prefix = self.rng.choice(CITIES[state.name])
                company = (
                    f"{self.rng.choice(SURNAMES)} "
                    f"{self.rng.choice(TRADEWORDS[industries[0].name])} "
                    f"{self.rng.choice(SUFFIXES)}"
                )
                plans.append((n, industries, state, city, prefix, company))
            user_ids = self._insert_users(
                [
                    self._user_row(
                        f"supplier{n}@{DEMO_DOMAIN}",
                        f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(SURNAMES)}",
                        _mobile(800_000_000 + n),
                    )
                    for n, *_ in plans
                ],
                (Role.BUYER, Role.SUPPLIER),
            )
            rows = []
            for user_id, (n, industries, state, city, prefix, company) in zip(
                user_ids, plans, strict=True
            ):
                gstin = _gstin(self.rng, state.gst_code)
                # About a third still wait for the GST registry, so the badge means something.
                verified = n % 3 != 0
                rows.append(
                    {
                        "user_id": user_id,
                        "company_name": company,
                        "gstin": gstin,
                        "gst_state_code": state.gst_code,
                        "pan": gstin[2:12],  # the EncryptedText column encrypts it
                        "gst_verification": GstVerification.VERIFIED
                        if verified
                        else GstVerification.PENDING,
                        "gst_verified_at": self.now if verified else None,
                        "address_line1": f"{self.rng.randint(1, 250)}, {self.rng.choice(ESTATES)}",
                        "city": city,
                        "state": state.name,
                        "pincode": f"{prefix}{self.rng.randint(1, 99):03d}",
                        **self._business_profile(industries, city),
                        "created_at": self.now - timedelta(days=self.rng.randint(30, 3000)),
                        "updated_at": self.now,
                    }
                )
            ids = db.session.scalars(
                insert(SupplierProfile).returning(SupplierProfile.id, sort_by_parameter_order=True),
                rows,
            )
            made += [(sid, plan[1]) for sid, plan in zip(ids, plans, strict=True)]
        return made

    def gst_receipts(self, supplier_ids: list[int]) -> None:
        """The first suppliers take the GST sandbox's registrations and are checked against
        them: a receipt of each kind, two lapsed badges on the officer's desk."""
        sandbox = SandboxRegistry()
        for supplier_id, facts in zip(supplier_ids, GST_SUPPLIERS, strict=False):
            profile = db.session.get_one(SupplierProfile, supplier_id)
            if profile.about:
                profile.about = profile.about.replace(
                    f" from {profile.city} ", f" from {facts['city']} "
                )
            for name in ("gstin", "company_name", "address_line1", "city", "state", "pincode"):
                setattr(profile, name, facts[name])
            profile.gst_state_code = facts["gstin"][:2]
            profile.pan = facts["gstin"][2:12]
            profile.gst_verification = GstVerification(facts["badge"])
            profile.gst_verified_at = self.now if facts["badge"] == "verified" else None
            db.session.flush()
            check_gstin(supplier_id, requested_by=CheckRequester.DEMO, registry=sandbox)

    def _business_profile(self, industries: tuple[Industry, ...], city: str) -> dict[str, Any]:
        kind = self.rng.choices(list(BUSINESS_TYPES), (5, 3, 2, 1, 0))[0]
        year = self.rng.randint(1972, 2021)
        employees = self.rng.choice(EMPLOYEE_BANDS[:5])
        turnover = TURNOVER_BANDS_BY_EMPLOYEES[employees]
        leaves = [line.leaf.lower() for i in industries for line in LINES[i.name]][:3]
        what = ", ".join(leaves[:-1]) + f" and {leaves[-1]}" if len(leaves) > 1 else leaves[0]
        verb = {"manufacturer": "Manufacturers", "exporter": "Exporters"}.get(kind, "Suppliers")
        return {
            "business_type": kind,
            "year_established": year,
            "employees": employees,
            "turnover_band": turnover,
            "about": (
                f"{verb} of {what} from {city} since {year}. "
                f"{' '.join(self.rng.sample(PROMISES, 2))}"
            ),
        }


group = click.Group("demo", help="Demo data for trying the portal and for benchmarks.")


@group.command("seed")
@click.option("--products", default=3000, show_default=True, help="How many products.")
@click.option("--suppliers", type=int, help="How many suppliers [default: one per 40 products].")
@click.option("--buyers", default=20, show_default=True)
@click.option("--seed", default=2026, show_default=True, help="Random seed, for repeatable data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when products already exist.")
@with_appcontext
def seed(products: int, suppliers: int | None, buyers: int, seed: int, if_empty: bool) -> None:
    """Create demo suppliers (valid GSTINs across states), products and buyers, then index."""
    if current_app.config["APP_ENV"] == "production":
        # Every demo account's password is published (DEMO_PASSWORD, the README).
        raise click.ClickException(
            "flask demo seed refuses to run with APP_ENV=production: "
            "the demo accounts' password is published"
        )
    if if_empty and db.session.scalar(select(func.count(Product.id))):
        click.echo("Products exist already: no demo data added.")
        return
    if db.session.scalar(select(User.id).where(User.email == f"buyer1@{DEMO_DOMAIN}")):
        raise click.ClickException("Demo data is already loaded.")
    categories.load_categories()
    seeder = Seeder(seed)
    seeder.leaf_ids = {
        slug: info.id for slug, info in categories.categories().items() if info.is_leaf
    }
    seeder.staff_and_buyers(buyers)
    supplier_count = suppliers or max(10, products // 40)
    made = seeder.suppliers(supplier_count)
    seeder.gst_receipts([supplier_id for supplier_id, _ in made])
    commit()
    with click.progressbar(length=products, label="Adding products", show_pos=True) as bar:
        chunk: list[dict[str, Any]] = []
        listings = Listings(seeder.rng, seeder.now, seeder.leaf_ids, WORDS)
        for row in listings.rows(made, products):
            chunk.append(row)
            if len(chunk) == 5000:
                db.session.execute(insert(Product), chunk)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            db.session.execute(insert(Product), chunk)
            bar.update(len(chunk))
    buyer_ids = demo_enquiries.demo_buyers(DEMO_DOMAIN)
    demo_enquiries.seed_enquiries(seeder.rng, [sid for sid, _ in made], buyer_ids, seeder.now)
    seed_demo_reviews(seeder.rng, seeder.now)
    commit()
    with click.progressbar(length=products, label="Indexing products", show_pos=True) as bar:
        indexed = indexing.reindex(progress=bar.update)
    team_leads = seed_team(DEMO_DOMAIN, seeder.password_hash)
    commit()
    history = seed_history(DEMO_DOMAIN, seeder.now)
    commit()
    click.echo(
        f"{supplier_count} suppliers, {buyers} buyers and {indexed} products are ready. "
        f"Sign in as buyer1@{DEMO_DOMAIN}, supplier1@{DEMO_DOMAIN}, "
        f"officer@{DEMO_DOMAIN} or admin@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}."
    )
    click.echo(
        f"supplier1's team ({team_leads} leads shared out): "
        + ", ".join(team_email(local, DEMO_DOMAIN) for local, _, _ in TEAM)
        + ", with the same password."
    )
    if history:
        click.echo(
            "Their recent past: "
            + ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in history.items())
            + ", a breach in the register."
        )
    if current_app.config["BCRYPT_ROUNDS"] < 12:
        click.echo("(test configuration: demo passwords are hashed with a low bcrypt cost)")
