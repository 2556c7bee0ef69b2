"""Unused accounts: warned, then erased through the deletion workflow (DPDP Rules 2025 r.8(2)).

"Unused" means no use of any kind (marketplace.privacy.activity): no sign-in, no browser session
or key in use, no enquiry, requirement, message, note or order. Run daily by beat, or by cron on
the embedded defaults (`flask privacy sweep-inactive`)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.i18n import in_language
from marketplace.legal_clocks import clock as legal_clock
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy import clock
from marketplace.privacy.activity import active_since
from marketplace.privacy.deletion import open_system_deletion, run_deletion
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.workflow import OPEN_STATES


def sweep_inactive() -> dict[str, int]:
    """Warn accounts unused for PRIVACY_INACTIVE_DAYS, then erase those still unused 48 hours
    after the warning (DPDP Rules 2025 r.8(2)), through the same workflow. Commits."""
    now = clock.now()
    idle_since = now - timedelta(days=current_app.config["PRIVACY_INACTIVE_DAYS"])
    notice = legal_clock("inactive_erasure_notice")
    used = active_since(idle_since)
    # Any use answers a warning, as signing in does (a key's use does not pass through sign-in).
    db.session.execute(
        update(User)
        .where(User.inactivity_warned_at.is_not(None), User.id.in_(used))
        .values(inactivity_warned_at=None)
        .execution_options(synchronize_session=False)
    )
    candidates = db.session.scalars(
        select(User)
        .where(User.erased_at.is_(None), User.created_at < idle_since, User.id.not_in(used))
        .order_by(User.id)
    ).all()
    warned = erased = 0
    queued: list[int] = []
    for user in candidates:
        if user.is_staff:
            continue
        if user.inactivity_warned_at is None:
            user.inactivity_warned_at = now
            with in_language(user.language):
                send_email(
                    user.email,
                    _(
                        "Your unused TradeSetu account will be deleted in %(period)s",
                        period=notice.period,
                    ),
                    "privacy_inactive_warning",
                    user=user,
                    erase_at=notice.due(now),
                    url=absolute_url("accounts.sign_in"),
                )
            audit.record("privacy.inactivity_warned", subject=user)
            warned += 1
        elif now >= notice.due(user.inactivity_warned_at):
            open_deletion = db.session.scalar(
                select(func.count(PrivacyRequest.id)).where(
                    PrivacyRequest.user_id == user.id,
                    PrivacyRequest.type == RequestType.DELETION,
                    PrivacyRequest.status.in_(OPEN_STATES),
                )
            )
            if not open_deletion:
                queued.append(open_system_deletion(user, "inactive account", approved=True).id)
    commit()
    for request_id in queued:
        if run_deletion(request_id) in (
            RequestStatus.COMPLETE,
            RequestStatus.COMPLETE_WITH_RETENTION,
        ):
            erased += 1
    return {"warned": warned, "erased": erased}
