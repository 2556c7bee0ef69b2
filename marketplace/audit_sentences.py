"""The audit log read as sentences: who did what to whom, in plain words.

One table maps every action name that `audit.record` writes to a sentence; a test walks the code
for every action name and fails when one has none. Who ("Meera Iyer (officer)") and what
("the listing 'Mild steel pipe'") are read from the tables the row names, in one query per
table for a whole page of rows, never shown as "users 21".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User, UserRole
from marketplace.audit import AuditEvent
from marketplace.extensions import db

# %(actor)s: who did it; %(subject)s: what it was done to. Details the row carries are added after.
# Stored rows keep the action's name only: the sentence is translated when it is read.
SENTENCES: dict[str, LazyString] = {
    "account.corrected": _l("%(actor)s corrected %(subject)s at the person's request"),
    "account.deactivated": _l("%(actor)s closed %(subject)s"),
    "account.email_change_requested": _l(
        "%(actor)s asked to change the email address of %(subject)s"
    ),
    "account.email_change_undone": _l("%(actor)s undid the email change of %(subject)s"),
    "account.email_changed": _l("%(actor)s changed the email address of %(subject)s"),
    "account.email_verified": _l("%(actor)s confirmed the email address of %(subject)s"),
    "account.phone_code_sent": _l("%(actor)s was sent a code to confirm the mobile of %(subject)s"),
    "account.phone_verified": _l("%(actor)s confirmed the mobile number of %(subject)s"),
    "account.photo_added": _l("%(actor)s added %(subject)s"),
    "account.photo_removed": _l("%(actor)s removed %(subject)s"),
    "account.reactivated": _l("%(actor)s signed in again and reopened %(subject)s"),
    "account.registered": _l("%(actor)s registered %(subject)s"),
    "account.reinstated": _l("%(actor)s reinstated %(subject)s"),
    "account.staff_created": _l("%(actor)s created %(subject)s as %(role)s"),
    "account.suspended": _l("%(actor)s suspended %(subject)s"),
    "account.unsuspended": _l("%(actor)s lifted the suspension of %(subject)s"),
    "account.updated": _l("%(actor)s changed the details of %(subject)s"),
    "api_key.created": _l("%(actor)s created %(subject)s"),
    "api_key.revoked": _l("%(actor)s revoked %(subject)s"),
    "auth.password_changed": _l("%(actor)s changed the password of %(subject)s"),
    "auth.password_reset": _l("%(actor)s reset the password of %(subject)s"),
    "auth.password_reset_requested": _l("%(actor)s asked for a password reset for %(subject)s"),
    "auth.sign_in_failed": _l("%(actor)s tried to sign in to %(subject)s with a wrong password"),
    "auth.sign_in_throttled": _l(
        "%(actor)s was stopped after too many sign-in attempts on %(subject)s"
    ),
    "auth.signed_in": _l("%(actor)s signed in"),
    "auth.signed_out": _l("%(actor)s signed out"),
    "auth.token_issued": _l("%(actor)s signed in through the API (%(subject)s)"),
    "breach.recorded": _l("%(actor)s recorded %(subject)s"),
    "breach.updated": _l("%(actor)s updated %(subject)s"),
    "buylead.preferences_changed": _l("%(actor)s changed which BuyLeads %(subject)s is offered"),
    "buylead.reported": _l("%(actor)s reported a BuyLead as bad (%(subject)s)"),
    "buylead.unlocked": _l("%(actor)s unlocked a BuyLead (%(subject)s)"),
    "buylead_report.decided": _l("%(actor)s decided %(subject)s"),
    "credits.extra_payment": _l("%(actor)s received a second payment for %(subject)s"),
    "credits.goodwill_granted": _l("%(actor)s granted goodwill credits to %(subject)s"),
    "credits.order_created": _l("%(actor)s placed %(subject)s"),
    "credits.order_paid": _l("%(actor)s recorded the payment of %(subject)s"),
    "credits.order_refunded": _l("%(actor)s refunded %(subject)s"),
    "credits.plan_changed": _l("%(actor)s changed the plan of %(subject)s"),
    "grievance.appealed": _l("%(actor)s appealed %(subject)s"),
    "grievance.assigned": _l("%(actor)s assigned %(subject)s"),
    "grievance.filed": _l("%(actor)s filed %(subject)s"),
    "grievance.status_changed": _l("%(actor)s changed the status of %(subject)s"),
    "lead.buyer_blocked": _l("%(actor)s blocked the buyer of %(subject)s"),
    "lead.buyer_unblocked": _l("%(actor)s unblocked the buyer of %(subject)s"),
    "lead.marked_spam": _l("%(actor)s marked %(subject)s as spam"),
    "lead.reassigned": _l("%(actor)s gave %(subject)s to a colleague"),
    "lead_rule.added": _l("%(actor)s added %(subject)s"),
    "lead_rule.removed": _l("%(actor)s removed %(subject)s"),
    "leads.exported": _l("%(actor)s downloaded the leads as a spreadsheet"),
    "privacy.archive_purged": _l("%(actor)s purged statutory records past their keeping period"),
    "privacy.consent_granted": _l("%(actor)s gave a consent for %(subject)s"),
    "privacy.consent_manager_registered": _l("%(actor)s registered %(subject)s"),
    "privacy.consent_manager_restored": _l("%(actor)s restored %(subject)s"),
    "privacy.consent_manager_suspended": _l("%(actor)s suspended %(subject)s"),
    "privacy.consent_withdrawn": _l("%(actor)s withdrew a consent for %(subject)s"),
    "privacy.consents_read_by_manager": _l("%(actor)s read the consents of %(subject)s"),
    "privacy.hold_placed": _l("%(actor)s placed %(subject)s"),
    "privacy.hold_released": _l("%(actor)s released %(subject)s"),
    "privacy.inactivity_warned": _l(
        "%(actor)s warned %(subject)s that an unused account is erased"
    ),
    "privacy.minor_reported": _l("%(actor)s reported %(subject)s as a child's"),
    "privacy.newsletter_composed": _l("%(actor)s wrote %(subject)s"),
    "privacy.newsletter_sent": _l("%(actor)s sent %(subject)s"),
    "privacy.request_approved": _l("%(actor)s approved %(subject)s"),
    "privacy.request_complete": _l("%(actor)s completed %(subject)s"),
    "privacy.request_complete_with_retention": _l(
        "%(actor)s completed %(subject)s, keeping statutory records"
    ),
    "privacy.request_denied": _l("%(actor)s denied %(subject)s"),
    "privacy.request_failed": _l("%(actor)s recorded that %(subject)s failed"),
    "privacy.request_in_progress": _l("%(actor)s started work on %(subject)s"),
    "privacy.request_metadata_purged": _l("%(actor)s purged old request details"),
    "privacy.request_paused": _l("%(actor)s paused %(subject)s under a legal hold"),
    "privacy.request_pending": _l("%(actor)s opened %(subject)s"),
    "privacy.request_refused": _l("%(actor)s refused a privacy request from %(subject)s"),
    "product.hidden": _l("%(actor)s hid %(subject)s"),
    "product.unhidden": _l("%(actor)s showed %(subject)s again"),
    "requirement.closed": _l("%(actor)s closed %(subject)s"),
    "requirement.closed_as_fake": _l("%(actor)s closed %(subject)s as fake"),
    "requirement.matched": _l("%(actor)s matched %(subject)s to suppliers"),
    "requirement.posted": _l("%(actor)s posted %(subject)s"),
    "review.edited": _l("%(actor)s edited %(subject)s"),
    "review.hidden": _l("%(actor)s hid %(subject)s"),
    "review.kept": _l("%(actor)s kept %(subject)s after a report"),
    "review.replied": _l("%(actor)s replied to %(subject)s"),
    "review.reported": _l("%(actor)s reported %(subject)s"),
    "review.written": _l("%(actor)s wrote %(subject)s"),
    "role.granted": _l("%(actor)s made %(subject)s %(role)s"),
    "role.revoked": _l("%(actor)s took the role of %(role)s from %(subject)s"),
    "supplier.gst_alert_closed": _l("%(actor)s closed the GST registration alert of %(subject)s"),
    "supplier.gst_check": _l("%(actor)s checked the GSTIN of %(subject)s with the GST registry"),
    "supplier.gst_verification": _l("%(actor)s set the GST verification of %(subject)s"),
    "team.changed": _l("%(actor)s changed the team role of %(subject)s"),
    "team.invited": _l("%(actor)s invited %(subject)s to the team"),
    "team.joined": _l("%(actor)s joined the team as %(subject)s"),
    "team.removed": _l("%(actor)s removed %(subject)s from the team"),
    "webhook.created": _l("%(actor)s created %(subject)s"),
    "webhook.deleted": _l("%(actor)s deleted %(subject)s"),
    "webhook.disabled": _l("%(actor)s disabled %(subject)s after repeated failures"),
    "webhook.enabled": _l("%(actor)s turned %(subject)s back on"),
    "webhook.retried": _l("%(actor)s sent a failed delivery of %(subject)s again"),
    "webhook.test_sent": _l("%(actor)s sent a test delivery to %(subject)s"),
}

# How a subject is named: by a column (%(name)s), else by its number (%(number)s).
SUBJECTS: dict[str, tuple[LazyString | None, LazyString]] = {
    "users": (_l("the account of %(name)s"), _l("the account of no. %(number)s")),
    "supplier_profiles": (_l("the business %(name)s"), _l("the business no. %(number)s")),
    "products": (_l("the listing %(name)s"), _l("the listing no. %(number)s")),
    "webhooks": (_l("the webhook to %(name)s"), _l("the webhook to no. %(number)s")),
    "leads": (None, _l("lead no. %(number)s")),
    "buy_requirements": (
        _l("the buy requirement %(name)s"),
        _l("the buy requirement no. %(number)s"),
    ),
    "grievances": (_l("the complaint %(name)s"), _l("the complaint no. %(number)s")),
    "privacy_requests": (None, _l("privacy request no. %(number)s")),
    "reviews": (None, _l("a review of no. %(number)s")),
    "credit_orders": (None, _l("credit order no. %(number)s")),
    "api_credentials": (_l("the key %(name)s"), _l("the key no. %(number)s")),
    "team_members": (None, _l("team member no. %(number)s")),
    "breaches": (None, _l("the data breach no. %(number)s")),
    "privacy_legal_holds": (None, _l("legal hold no. %(number)s")),
    "lead_assignment_rules": (
        _l("the lead rule for %(name)s"),
        _l("the lead rule for no. %(number)s"),
    ),
    "buylead_reports": (None, _l("BuyLead report no. %(number)s")),
    "business_photos": (None, _l("business photo no. %(number)s")),
    "consent_managers": (
        _l("the consent manager %(name)s"),
        _l("the consent manager no. %(number)s"),
    ),
    "newsletters": (_l("the newsletter %(name)s"), _l("the newsletter no. %(number)s")),
}
# The column that names a subject of each table named by one.
NAME_COLUMNS: dict[str, str] = {
    "users": "name",
    "supplier_profiles": "company_name",
    "products": "name",
    "webhooks": "url",
    "buy_requirements": "product_name",
    "grievances": "reference",
    "api_credentials": "name",
    "lead_assignment_rules": "state",
    "consent_managers": "name",
    "newsletters": "subject",
}

# A role named in a row's details, as a sentence says it.
ROLE_NAMES = {
    "admin": _l("an admin"),
    "grievance_officer": _l("the grievance officer"),
    "buyer": _l("a buyer"),
    "supplier": _l("a supplier"),
    "team_member": _l("a team member"),
}
# Subjects named by a column that says too much: a webhook's address may carry its receiver's
# access token in the query (the audit row itself keeps the host only), so the host alone.
SHAPERS: dict[str, Callable[[str], str]] = {
    "webhooks": lambda url: urlsplit(url).hostname or str(_l("an address")),
}
# What the role of the person who acted is called in a sentence, the highest first.
ROLE_WORDS = (("admin", _l("admin")), ("grievance_officer", _l("officer")))
# Details worth a sentence's tail, in this order, each with its words.
DETAIL_WORDS = (
    ("role", _l("role")),
    ("reason", _l("reason")),
    ("note", _l("note")),
    ("status", _l("now")),
)
NOBODY = _l("The system")
ERASED = _l("An erased account")
UNKNOWN = _l("%(actor)s did something the log has no words for yet (%(action)s)")


@dataclass(frozen=True)
class Line:
    """One audit row as a person reads it."""

    row: AuditEvent
    text: str

    @property
    def details(self) -> str:
        """The row's other details, as 'key: value' lines: what the sentence does not say."""
        said = {key for key, _ in DETAIL_WORDS} | {"role"}
        rest = {key: value for key, value in (self.row.details or {}).items() if key not in said}
        return audit.details_text(rest)


def _model_for(table: str) -> Any:
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return mapper.class_
    return None


def _names(table: str, ids: set[str]) -> dict[str, str]:
    # A table without words of its own is named by its name, as a code is ("lead rule no. 3").
    named, numbered = SUBJECTS.get(
        table, (None, table.replace("_", " ").rstrip("s") + " no. %(number)s")
    )
    column = NAME_COLUMNS.get(table)
    model = _model_for(table)
    found: dict[str, str] = {}
    if named is not None and column and model is not None and hasattr(model, column):
        wanted = [int(i) for i in ids if i.isdigit()]
        rows = db.session.execute(
            select(model.id, getattr(model, column)).where(model.id.in_(wanted))
        )
        shape = SHAPERS.get(table, lambda value: f"'{_short(value)}'")
        found = {str(row[0]): str(named) % {"name": shape(str(row[1]))} for row in rows}
    return {i: found.get(i, str(numbered) % {"number": i}) for i in ids}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _people(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = db.session.execute(
        select(User.id, User.name, User.erased_at).where(User.id.in_(ids))
    ).all()
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(
        select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids))
    ):
        roles[user_id].add(str(role))
    named = {}
    for user_id, name, erased_at in users:
        word = next((w for role, w in ROLE_WORDS if role in roles[user_id]), None)
        person = str(ERASED) if erased_at else name
        named[user_id] = _("%(person)s (%(role)s)", person=person, role=word) if word else person
    return named


def _tail(details: dict[str, Any], used: str) -> str:
    parts = [
        f"{words}: {_short(str(details[key]), 200)}"
        for key, words in DETAIL_WORDS
        if details.get(key) not in (None, "", []) and "%(" + key + ")s" not in used
    ]
    return " — " + "; ".join(parts) if parts else ""


def sentence(action: str, actor: str, subject: str, details: dict[str, Any]) -> str:
    template = str(SENTENCES.get(action, UNKNOWN))  # in the reader's language
    details = details or {}
    role = str(details.get("role") or "")
    text = template % {
        "actor": actor,
        "subject": subject or _("the platform"),
        "action": action,
        "role": ROLE_NAMES.get(role, role.replace("_", " ") or _("a role")),
    }
    return _("%(sentence)s%(details)s.", sentence=text, details=_tail(details, template))


def read(rows: Sequence[AuditEvent]) -> list[Line]:
    """A page of audit rows as sentences, with one query per table named."""
    people = _people({row.actor_id for row in rows if row.actor_id})
    by_table: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.subject_type and row.subject_id:
            by_table[row.subject_type].add(row.subject_id)
    subjects = {table: _names(table, ids) for table, ids in by_table.items()}
    return [
        Line(
            row,
            sentence(
                row.action,
                people.get(row.actor_id, str(ERASED)) if row.actor_id else str(NOBODY),
                _subject(row, subjects),
                row.details,
            ),
        )
        for row in rows
    ]


def _subject(row: AuditEvent, subjects: dict[str, dict[str, str]]) -> str:
    """What the row is about; a person acting on their own account acts on "their account"."""
    if row.subject_type == "users" and row.actor_id and row.subject_id == str(row.actor_id):
        return _("their account")
    return subjects.get(row.subject_type or "", {}).get(row.subject_id or "", "")


def action_label(action: str) -> str:
    """An action's name as a person reads it in a list of choices ("product hidden")."""
    return action.replace(".", " ").replace("_", " ")


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    return [(action, action_label(action)) for action in actions]
