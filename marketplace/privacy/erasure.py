"""The erasers registry: each domain says how to find holds on, archive and erase a person.

A domain registers one `Eraser` from its own `erasure.py` (listed in ERASER_MODULES, imported
before every run). The deletion workflow (marketplace.privacy.deletion) asks every eraser for
holds, then for the records to archive, then erases, all in one transaction:

    register(Eraser("leads", holds=..., archive=..., erase=..., order=20))

- `holds(subject) -> list[str]`: reasons the erasure must wait (an unpaid order, a dispute).
- `archive(subject) -> list[ArchiveItem]`: statutory records to copy into the archive; each
  names a rule of marketplace.privacy.retention.RULES and the moment its clock starts.
- `erase(subject) -> list[str]`: erases or pseudonymises the domain's rows (only flushes) and
  says what it did, in words for the certificate.
Erasers run in `order` (the accounts eraser last: the others still read the person's row).

Every eraser hands its free-text columns to `redact_columns`: the person's identifiers
(`Subject.known`, marketplace.identifiers) are replaced in anyone's rows, however they were
written; a new column with free text is added to its domain's list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, inspect, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.identifiers import PersonIdentifiers

# Every module that registers an eraser. Grievances add theirs here.
ERASER_MODULES: tuple[str, ...] = (
    "marketplace.catalog.erasure",
    "marketplace.leads.erasure",
    "marketplace.reviews.erasure",
    "marketplace.leads.report_erasure",
    "marketplace.credits.erasure",
    "marketplace.privacy.own_erasure",
    "marketplace.accounts.erasure",
)
# Erasers for domains still being built: skipped while their models cannot be imported.
OPTIONAL_ERASER_MODULES: tuple[str, ...] = ("marketplace.privacy.grievance_erasure",)

ERASED = "[erased]"


@dataclass(frozen=True)
class Subject:
    """The person being erased, as they were when the run began (the contact details are
    captured first: erasers redact copies of them held elsewhere). `known` is everything the
    portal holds to recognise them in what anyone wrote (marketplace.identifiers)."""

    user: User
    now: datetime
    email: str
    name: str
    phone: str | None
    phone_digest: str | None
    supplier_id: int | None
    request_id: int | None = None
    person: PersonIdentifiers | None = None

    @cached_property
    def known(self) -> PersonIdentifiers:
        if self.person is not None:
            return self.person
        return PersonIdentifiers.of(emails=[self.email], phones=[self.phone], names=[self.name])

    def redact(self, text: str | None, *, about_them: bool = False) -> str | None:
        """`text` with every mention of the person replaced, however it was written; the parts
        of their name too when the text is about them (their own enquiry, complaint, ...)."""
        return self.known.replace(text, ERASED, about_them=about_them)

    def redact_data(self, value: Any, *, about_them: bool = False) -> Any:
        """A JSON value (a webhook payload, a draft's fields) with every string redacted."""
        if isinstance(value, str):
            return self.redact(value, about_them=about_them)
        if isinstance(value, dict):
            return {k: self.redact_data(v, about_them=about_them) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact_data(item, about_them=about_them) for item in value]
        return value


def redact_columns(
    subject: Subject,
    columns: Sequence[InstrumentedAttribute[Any]],
    about_them: ColumnElement[bool] | None = None,
) -> list[Any]:
    """Every row of one model's free-text (or JSON) `columns`, anyone's, with the person's
    identifiers replaced; in the rows that `about_them` selects, the parts of their name too.
    Only changed rows are written. Returns their keys. Erasures are rare and run as tasks: a scan
    of the table is the price of finding a number however it was typed."""
    model = columns[0].class_
    key = inspect(model).primary_key[0]
    about = about_them if about_them is not None else literal(False)
    query = select(key, about.label("about"), *columns).execution_options(yield_per=500)
    changes = []
    for row in db.session.execute(query):
        mine = bool(row[1])
        changed = {}
        for column, value in zip(columns, row[2:], strict=True):
            redacted = subject.redact_data(value, about_them=mine)
            length = getattr(column.type, "length", None)
            if length and isinstance(redacted, str):
                redacted = redacted[:length]  # "[erased]" can be longer than a short name
            if redacted != value:
                changed[column.key] = redacted
        if changed:
            changes.append((row[0], changed))
    for ident, changed in changes:
        db.session.execute(update(model).where(key == ident).values(**changed))
    return [ident for ident, _ in changes]


@dataclass(frozen=True)
class ArchiveItem:
    record_type: str  # a key of retention.RULES
    reference: str
    data: dict[str, Any]
    starts_at: datetime  # when the rule's clock starts (an invoice's issue, the cancellation)


def _none(subject: Subject) -> list[Any]:
    return []


@dataclass(frozen=True)
class Eraser:
    name: str
    holds: Callable[[Subject], list[str]] = _none
    archive: Callable[[Subject], list[ArchiveItem]] = _none
    erase: Callable[[Subject], list[str]] = _none
    # Past retain_until the archive copy is purged; a domain that kept its own original of a
    # statutory record (a tax invoice) deletes it then: given every purged reference, it
    # returns how many originals it removed.
    purge: Callable[[list[str]], int] = lambda references: 0
    order: int = 50
    extra: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, Eraser] = {}


def register(eraser: Eraser) -> Eraser:
    _REGISTRY[eraser.name] = eraser
    return eraser


def erasers() -> list[Eraser]:
    for module in ERASER_MODULES:
        importlib.import_module(module)
    for module in OPTIONAL_ERASER_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            continue
    return sorted(_REGISTRY.values(), key=lambda eraser: (eraser.order, eraser.name))
