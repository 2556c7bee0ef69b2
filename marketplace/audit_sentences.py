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

from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User, UserRole
from marketplace.audit import AuditEvent
from marketplace.extensions import db

# {actor}: who did it; {subject}: what it was done to. Details the row carries are added after.
SENTENCES: dict[str, str] = {
    "account.corrected": "{actor} corrected {subject} at the person's request",
    "account.deactivated": "{actor} closed {subject}",
    "account.email_change_requested": "{actor} asked to change the email address of {subject}",
    "account.email_change_undone": "{actor} undid the email change of {subject}",
    "account.email_changed": "{actor} changed the email address of {subject}",
    "account.email_verified": "{actor} confirmed the email address of {subject}",
    "account.phone_code_sent": "{actor} was sent a code to confirm the mobile of {subject}",
    "account.phone_verified": "{actor} confirmed the mobile number of {subject}",
    "account.photo_added": "{actor} added {subject}",
    "account.photo_removed": "{actor} removed {subject}",
    "account.reactivated": "{actor} signed in again and reopened {subject}",
    "account.registered": "{actor} registered {subject}",
    "account.reinstated": "{actor} reinstated {subject}",
    "account.staff_created": "{actor} created {subject} as {role}",
    "account.suspended": "{actor} suspended {subject}",
    "account.unsuspended": "{actor} lifted the suspension of {subject}",
    "account.updated": "{actor} changed the details of {subject}",
    "api_key.created": "{actor} created {subject}",
    "api_key.revoked": "{actor} revoked {subject}",
    "auth.password_changed": "{actor} changed the password of {subject}",
    "auth.password_reset": "{actor} reset the password of {subject}",
    "auth.password_reset_requested": "{actor} asked for a password reset for {subject}",
    "auth.sign_in_failed": "{actor} tried to sign in to {subject} with a wrong password",
    "auth.sign_in_throttled": "{actor} was stopped after too many sign-in attempts on {subject}",
    "auth.signed_in": "{actor} signed in",
    "auth.signed_out": "{actor} signed out",
    "auth.token_issued": "{actor} signed in through the API ({subject})",
    "breach.recorded": "{actor} recorded {subject}",
    "breach.updated": "{actor} updated {subject}",
    "buylead.preferences_changed": "{actor} changed which BuyLeads {subject} is offered",
    "buylead.reported": "{actor} reported a BuyLead as bad ({subject})",
    "buylead.unlocked": "{actor} unlocked a BuyLead ({subject})",
    "buylead_report.decided": "{actor} decided {subject}",
    "credits.extra_payment": "{actor} received a second payment for {subject}",
    "credits.goodwill_granted": "{actor} granted goodwill credits to {subject}",
    "credits.order_created": "{actor} placed {subject}",
    "credits.order_paid": "{actor} recorded the payment of {subject}",
    "credits.order_refunded": "{actor} refunded {subject}",
    "credits.plan_changed": "{actor} changed the plan of {subject}",
    "grievance.appealed": "{actor} appealed {subject}",
    "grievance.assigned": "{actor} assigned {subject}",
    "grievance.filed": "{actor} filed {subject}",
    "grievance.status_changed": "{actor} changed the status of {subject}",
    "lead.buyer_blocked": "{actor} blocked the buyer of {subject}",
    "lead.buyer_unblocked": "{actor} unblocked the buyer of {subject}",
    "lead.marked_spam": "{actor} marked {subject} as spam",
    "lead.reassigned": "{actor} gave {subject} to a colleague",
    "lead_rule.added": "{actor} added {subject}",
    "lead_rule.removed": "{actor} removed {subject}",
    "leads.exported": "{actor} downloaded the leads as a spreadsheet",
    "privacy.archive_purged": "{actor} purged statutory records past their keeping period",
    "privacy.consent_granted": "{actor} gave a consent for {subject}",
    "privacy.consent_manager_registered": "{actor} registered {subject}",
    "privacy.consent_manager_restored": "{actor} restored {subject}",
    "privacy.consent_manager_suspended": "{actor} suspended {subject}",
    "privacy.consent_withdrawn": "{actor} withdrew a consent for {subject}",
    "privacy.consents_read_by_manager": "{actor} read the consents of {subject}",
    "privacy.hold_placed": "{actor} placed {subject}",
    "privacy.hold_released": "{actor} released {subject}",
    "privacy.inactivity_warned": "{actor} warned {subject} that an unused account is erased",
    "privacy.minor_reported": "{actor} reported {subject} as a child's",
    "privacy.newsletter_composed": "{actor} wrote {subject}",
    "privacy.newsletter_sent": "{actor} sent {subject}",
    "privacy.request_approved": "{actor} approved {subject}",
    "privacy.request_complete": "{actor} completed {subject}",
    "privacy.request_complete_with_retention": "{actor} completed {subject}, keeping "
    "statutory records",
    "privacy.request_denied": "{actor} denied {subject}",
    "privacy.request_failed": "{actor} recorded that {subject} failed",
    "privacy.request_in_progress": "{actor} started work on {subject}",
    "privacy.request_metadata_purged": "{actor} purged old request details",
    "privacy.request_paused": "{actor} paused {subject} under a legal hold",
    "privacy.request_pending": "{actor} opened {subject}",
    "privacy.request_refused": "{actor} refused a privacy request from {subject}",
    "product.hidden": "{actor} hid {subject}",
    "product.unhidden": "{actor} showed {subject} again",
    "requirement.closed": "{actor} closed {subject}",
    "requirement.closed_as_fake": "{actor} closed {subject} as fake",
    "requirement.matched": "{actor} matched {subject} to suppliers",
    "requirement.posted": "{actor} posted {subject}",
    "review.edited": "{actor} edited {subject}",
    "review.hidden": "{actor} hid {subject}",
    "review.kept": "{actor} kept {subject} after a report",
    "review.replied": "{actor} replied to {subject}",
    "review.reported": "{actor} reported {subject}",
    "review.written": "{actor} wrote {subject}",
    "role.granted": "{actor} made {subject} {role}",
    "role.revoked": "{actor} took the role of {role} from {subject}",
    "supplier.gst_alert_closed": "{actor} closed the GST registration alert of {subject}",
    "supplier.gst_check": "{actor} checked the GSTIN of {subject} with the GST registry",
    "supplier.gst_verification": "{actor} set the GST verification of {subject}",
    "team.changed": "{actor} changed the team role of {subject}",
    "team.invited": "{actor} invited {subject} to the team",
    "team.joined": "{actor} joined the team as {subject}",
    "team.removed": "{actor} removed {subject} from the team",
    "webhook.created": "{actor} created {subject}",
    "webhook.deleted": "{actor} deleted {subject}",
    "webhook.disabled": "{actor} disabled {subject} after repeated failures",
    "webhook.enabled": "{actor} turned {subject} back on",
    "webhook.retried": "{actor} sent a failed delivery of {subject} again",
    "webhook.test_sent": "{actor} sent a test delivery to {subject}",
}

# How a subject is named: (the words before its name, the column that names it).
SUBJECTS: dict[str, tuple[str, str | None]] = {
    "users": ("the account of", "name"),
    "supplier_profiles": ("the business", "company_name"),
    "products": ("the listing", "name"),
    "webhooks": ("the webhook to", "url"),
    "leads": ("lead no.", None),
    "buy_requirements": ("the buy requirement", "product_name"),
    "grievances": ("the complaint", "reference"),
    "privacy_requests": ("privacy request no.", None),
    "reviews": ("a review of", None),
    "credit_orders": ("credit order no.", None),
    "api_credentials": ("the key", "name"),
    "team_members": ("team member no.", None),
    "breaches": ("the data breach no.", None),
    "privacy_legal_holds": ("legal hold no.", None),
    "lead_assignment_rules": ("the lead rule for", "state"),
    "buylead_reports": ("BuyLead report no.", None),
    "business_photos": ("business photo no.", None),
    "consent_managers": ("the consent manager", "name"),
    "newsletters": ("the newsletter", "subject"),
}

# A role named in a row's details, as a sentence says it.
ROLE_NAMES = {
    "admin": "an admin",
    "grievance_officer": "the grievance officer",
    "buyer": "a buyer",
    "supplier": "a supplier",
    "team_member": "a team member",
}
# Subjects named by a column that says too much: a webhook's address may carry its receiver's
# access token in the query (the audit row itself keeps the host only), so the host alone.
SHAPERS: dict[str, Callable[[str], str]] = {
    "webhooks": lambda url: urlsplit(url).hostname or "an address",
}
# What the role of the person who acted is called in a sentence, the highest first.
ROLE_WORDS = (("admin", "admin"), ("grievance_officer", "officer"))
# Details worth a sentence's tail, in this order, each with its words.
DETAIL_WORDS = (
    ("role", "role"),
    ("reason", "reason"),
    ("note", "note"),
    ("status", "now"),
)
NOBODY = "The system"
UNKNOWN = "{actor} did something the log has no words for yet ({action})"


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
    words, column = SUBJECTS.get(table, (table.replace("_", " ").rstrip("s") + " no.", None))
    model = _model_for(table)
    found: dict[str, str] = {}
    if column and model is not None and hasattr(model, column):
        wanted = [int(i) for i in ids if i.isdigit()]
        rows = db.session.execute(
            select(model.id, getattr(model, column)).where(model.id.in_(wanted))
        )
        shape = SHAPERS.get(table, lambda value: f"'{_short(value)}'")
        found = {str(row[0]): f"{words} {shape(str(row[1]))}" for row in rows}
    numbered = words if words.endswith("no.") else f"{words} no."
    return {i: found.get(i, f"{numbered} {i}") for i in ids}


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
        person = "An erased account" if erased_at else name
        named[user_id] = f"{person} ({word})" if word else person
    return named


def _tail(details: dict[str, Any], used: str) -> str:
    parts = [
        f"{words}: {_short(str(details[key]), 200)}"
        for key, words in DETAIL_WORDS
        if details.get(key) not in (None, "", []) and "{" + key + "}" not in used
    ]
    return " — " + "; ".join(parts) if parts else ""


def sentence(action: str, actor: str, subject: str, details: dict[str, Any]) -> str:
    template = SENTENCES.get(action, UNKNOWN)
    details = details or {}
    role = str(details.get("role") or "")
    text = template.format(
        actor=actor,
        subject=subject or "the platform",
        action=action,
        role=ROLE_NAMES.get(role, role.replace("_", " ") or "a role"),
    )
    return text + _tail(details, template) + "."


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
                people.get(row.actor_id, "An erased account") if row.actor_id else NOBODY,
                _subject(row, subjects),
                row.details,
            ),
        )
        for row in rows
    ]


def _subject(row: AuditEvent, subjects: dict[str, dict[str, str]]) -> str:
    """What the row is about; a person acting on their own account acts on "their account"."""
    if row.subject_type == "users" and row.actor_id and row.subject_id == str(row.actor_id):
        return "their account"
    return subjects.get(row.subject_type or "", {}).get(row.subject_id or "", "")


def action_label(action: str) -> str:
    """An action's name as a person reads it in a list of choices ("product hidden")."""
    return action.replace(".", " ").replace("_", " ")


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    return [(action, action_label(action)) for action in actions]
