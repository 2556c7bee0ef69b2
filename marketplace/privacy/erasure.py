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
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from marketplace.accounts.models import User

# Every module that registers an eraser. Grievances add theirs here.
ERASER_MODULES: tuple[str, ...] = (
    "marketplace.catalog.erasure",
    "marketplace.leads.erasure",
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
    captured first: erasers redact copies of them held elsewhere)."""

    user: User
    now: datetime
    email: str
    name: str
    phone: str | None
    phone_digest: str | None
    supplier_id: int | None
    request_id: int | None = None

    @property
    def identifiers(self) -> list[str]:
        """The strings that must not survive outside the archive, longest first."""
        found = {self.email, self.name}
        if self.phone:
            found |= {self.phone, self.phone.removeprefix("+91"), self.phone.removeprefix("+")}
        return sorted((value for value in found if value and len(value) >= 4), key=len)[::-1]

    @cached_property
    def _identifiers_pattern(self) -> re.Pattern[str] | None:
        # Built once per run, not per text redacted. One pass over the text as it is
        # (lower-casing first can change its length and shift every position after an 'İ');
        # the longest identifiers are tried first.
        if not self.identifiers:
            return None
        return re.compile("|".join(re.escape(v) for v in self.identifiers), re.IGNORECASE)

    def redact(self, text: str | None) -> str | None:
        """`text` with every copy of the person's identifiers replaced, in any case."""
        if not text or self._identifiers_pattern is None:
            return text
        return self._identifiers_pattern.sub(ERASED, text)


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
