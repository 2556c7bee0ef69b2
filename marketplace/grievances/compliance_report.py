"""The compliance report: complaints received in a period and how they were handled against the
clocks, with the privacy requests of the same period, as figures and as CSV."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.models import CATEGORY_LABELS, Category, Grievance, Status
from marketplace.privacy.models import PrivacyRequest, RequestType


def report(start: date, end: date) -> dict[str, Any]:
    """Complaints received in the period (days in India, both ends included), and how they
    were handled against the clocks."""
    rows = list(
        db.session.scalars(
            select(Grievance).where(
                Grievance.received_at >= moments.ist_day_start(start),
                Grievance.received_at < moments.ist_day_start(end + timedelta(days=1)),
            )
        )
    )
    acknowledged_on_time = sum(
        1 for g in rows if g.acknowledged_at is not None and g.acknowledged_at <= g.acknowledge_by
    )
    resolved = [g for g in rows if g.resolved_at is not None]
    resolved_on_time = sum(1 for g in resolved if g.resolved_at <= g.resolve_by)  # type: ignore[operator]
    hours = [(g.resolved_at - g.received_at).total_seconds() / 3600 for g in resolved]  # type: ignore[operator]
    by_category = {str(category): 0 for category in Category}
    for g in rows:
        by_category[str(g.category)] += 1
    removals = [g for g in rows if g.category == Category.CONTENT_REMOVAL]
    by_status = {str(status): 0 for status in Status}
    for g in rows:
        by_status[str(g.status)] += 1
    # Privacy requests share the desk and the clocks: the report counts them by type too.
    privacy_by_type = {str(kind): 0 for kind in RequestType}
    for kind, count in db.session.execute(
        select(PrivacyRequest.type, func.count())
        .where(
            PrivacyRequest.created_at >= moments.ist_day_start(start),
            PrivacyRequest.created_at < moments.ist_day_start(end + timedelta(days=1)),
        )
        .group_by(PrivacyRequest.type)
    ):
        privacy_by_type[str(kind)] = count
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "received": len(rows),
        "acknowledged_on_time": acknowledged_on_time,
        "resolved": len(resolved),
        "resolved_on_time": resolved_on_time,
        "appealed": sum(1 for g in rows if g.appealed_at is not None),
        # Requests to remove content, and those acted on within their 72 hours.
        "content_removals": len(removals),
        "content_removals_on_time": sum(
            1 for g in removals if g.resolved_at is not None and g.resolved_at <= g.resolve_by
        ),
        "by_category": by_category,
        "by_status": by_status,
        "median_hours_to_resolve": round(statistics.median(hours), 1) if hours else None,
        "privacy_requests_by_type": privacy_by_type,
    }


def report_csv(figures: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "value"])
    for key in (
        "from",
        "to",
        "received",
        "acknowledged_on_time",
        "resolved",
        "resolved_on_time",
        "appealed",
        "content_removals",
        "content_removals_on_time",
        "median_hours_to_resolve",
    ):
        value = figures[key]
        writer.writerow([key, "" if value is None else value])
    for category, count in figures["by_category"].items():
        writer.writerow([f"category:{category}", count])
    for status, count in figures["by_status"].items():
        writer.writerow([f"status:{status}", count])
    for kind, count in figures["privacy_requests_by_type"].items():
        writer.writerow([f"privacy_request:{kind}", count])
    return out.getvalue()


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(Category(category), category))


def chart(figures: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What the report page draws: complaints by category, and the clocks kept."""
    return {
        "categories": [
            {"label": str(CATEGORY_LABELS[Category(key)]), "count": count}
            for key, count in figures["by_category"].items()
        ],
        "clocks": [
            {"label": _("Acknowledged on time"), "count": figures["acknowledged_on_time"]},
            {"label": _("Resolved on time"), "count": figures["resolved_on_time"]},
            {"label": _("Content removed on time"), "count": figures["content_removals_on_time"]},
            {"label": _("Received"), "count": figures["received"]},
        ],
    }
