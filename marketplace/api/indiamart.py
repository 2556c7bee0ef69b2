"""IndiaMART's lead pull path on our host, so a connector written for IndiaMART needs only a new
host name. Always HTTP 200 with IndiaMART's envelope (see marketplace.leads.indiamart)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from marketplace.extensions import csrf, limiter
from marketplace.leads import indiamart
from marketplace.web import no_store

bp = Blueprint("indiamart", __name__, url_prefix="/wservce/crm/crmListing")
csrf.exempt(bp)


@bp.get("/v2/")
@limiter.exempt  # the key's own minimum interval answers in the envelope, never an HTTP 429
def crm_listing():  # type: ignore[no-untyped-def]
    answer = indiamart.pull(
        request.args.get("glusr_crm_key"),
        request.args.get("start_time", ""),
        request.args.get("end_time", ""),
    )
    return no_store(jsonify(answer.envelope()))
