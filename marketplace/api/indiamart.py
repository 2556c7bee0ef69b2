"""IndiaMART's lead pull path on our host, so a connector written for IndiaMART needs only a new
host name. Always HTTP 200 with IndiaMART's envelope (see marketplace.leads.indiamart)."""

from __future__ import annotations

from flask import Blueprint, request

from marketplace.extensions import csrf, limiter
from marketplace.leads import indiamart
from marketplace.openapi import Reply, operation
from marketplace.web import no_store

bp = Blueprint("indiamart", __name__, url_prefix="/wservce/crm/crmListing")
csrf.exempt(bp)
bp.after_request(no_store)  # the envelope carries buyers' contacts: no cache may keep it


@bp.get("/v2/")
@limiter.exempt  # the key's own minimum interval answers in the envelope, never an HTTP 429
@operation(
    "IndiaMART's lead pull (CRM Listing API v2) on this host: a connector written for "
    "IndiaMART needs only the host name changed",
    tag="leads",
    description="Always HTTP 200 with IndiaMART's envelope; CODE says what happened (200 "
    "leads, 204 none, 401 a key that is not valid or may not read leads, 400 bad times, 429 "
    "pulled too soon). At most 7 days per call; without times, the last 24 hours.",
    query=indiamart.PullQuery,
    responses={200: Reply(indiamart.IndiaMartEnvelope, "IndiaMART's envelope")},
    problems=None,  # every answer is IndiaMART's envelope, HTTP 200
    security=("indiamartKey",),
)
def crm_listing(query: indiamart.PullQuery):  # type: ignore[no-untyped-def]
    key = request.args.get("glusr_crm_key")
    return indiamart.pull(key, query.start_time, query.end_time).envelope()
