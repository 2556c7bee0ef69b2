"""Pages that belong to no single domain: the home page and the health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace import health, i18n
from marketplace.accounts.forms import ActionForm
from marketplace.accounts.language import remember_language
from marketplace.accounts.models import User
from marketplace.catalog import services as catalog
from marketplace.catalog.categories import category_tree
from marketplace.extensions import limiter
from marketplace.openapi import Reply, operation
from marketplace.validation import whole_number

bp = Blueprint("main", __name__)


# What an answer that carries a secret (a token, a key shown once) says: no cache may keep it.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def no_store(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


def local_target(target: str | None, default: str) -> str:
    """A `next` to redirect to, only when it is a path on this site. A browser drops tabs and
    newlines and reads a backslash as a slash, so a path holding any of them could leave it."""
    if target and target.startswith("/") and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default


def _referring_path() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def address_key() -> str:
    """A rate-limit key for the sender's address alone (an account's own key is separate)."""
    return f"ip:{request.remote_addr}"


def requested_page(last: int = 1000) -> int:
    """The ?page= of an HTML list: anything that is not a page number shows page 1."""
    number = whole_number(request.args.get("page", "1"))
    return number if number is not None and 0 < number <= last else 1


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "main/index.html", tree=category_tree(), recent=catalog.recent_products(8)
    )


@bp.post("/language")
def choose_language():  # type: ignore[no-untyped-def]
    """The switcher on every page: back to the page it was pressed on, in the chosen language."""
    # A page a POST rendered (a form sent back with its errors) has no address of its own to
    # return to: the page the form was on (its Referer, when on this site) stands in.
    back = redirect(
        local_target(request.form.get("next") or _referring_path(), url_for("main.index"))
    )
    code = i18n.known_language(request.form.get("language"))
    if not ActionForm().validate_on_submit() or code is None:
        return back
    if current_user.is_authenticated:
        remember_language(current_user._get_current_object(), code)
    return i18n.remember_in_cookie(back, code)


@bp.get("/livez")
@limiter.exempt
@operation(
    "Liveness: the process answers (readiness is /healthz)",
    tag="meta",
    responses={200: Reply({"const": "ok"}, "ok", media="text/plain")},
    problems=None,
)
def livez():  # type: ignore[no-untyped-def]
    return "ok"


@bp.get("/healthz")
@limiter.exempt
@operation(
    "Readiness: the database, search and the task broker, and how far behind each durable queue is",
    tag="meta",
    description="A 503 when the database is down or its schema is not at the code's latest "
    "migration (`schema` names both revisions): the app's queries would fail on it.",
    responses={
        200: Reply(
            health.Health, "The database answers at the latest migration (status may be degraded)"
        ),
        503: Reply(
            health.Health,
            "The database is down, or its schema is not at the code's latest migration",
        ),
    },
    problems=None,
)
def healthz():  # type: ignore[no-untyped-def]
    return health.report()


def person() -> User | None:
    """The signed-in person, or None for a visitor."""
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def signed_in_person() -> User:
    """The signed-in person; a visitor is sent to sign in and brought back."""
    user = person()
    if user is None:
        abort(redirect(url_for("accounts.sign_in", next=request.full_path)))
    return user
