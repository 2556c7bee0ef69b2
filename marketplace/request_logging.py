"""Per request: its id (taken from a sane `X-Request-ID`, otherwise made) on every response, and
one access line when it is answered, with the route (the URL rule, so a product page is one route
whatever its id), status, duration and who asked."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import inspect

from marketplace import request_ids

access_log = logging.getLogger("marketplace.access")


def init_app(app: Flask) -> None:
    # First of the before_request hooks: a request refused by a later one (a rate limit, say)
    # is logged and answered under its id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def known_user_id() -> int | None:
    """The signed-in user's id, or the API caller's (a person's token, or the owner of an
    integration key), if this request has already asked who it is: the log never loads a user."""
    if not has_request_context():
        return None
    # flask-login's per-request cache, set once something asked for current_user: a User row
    # when signed in. Its id from the identity map, as reading user.id after the request's
    # commit would load the row again.
    state = inspect(g.get("_login_user"), raiseerr=False)
    if state is not None and state.identity:
        return int(state.identity[0])
    bearer = g.get("api_bearer")  # set by the API's verified_credential, None when refused
    return bearer.user_id if bearer is not None else None


def _request_id() -> str:
    if "request_id" not in g:
        g.request_id = request_ids.accept(request.headers.get(request_ids.HEADER))
    request_id: str = g.request_id
    return request_id


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id_token = request_ids.bind(_request_id())


def _finish(response: Response) -> Response:
    response.headers[request_ids.HEADER] = _request_id()
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.url_rule.rule if request.url_rule else None
    access_log.info(
        "%s %s %s %s ms",
        request.method,
        route or "-",
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def _forget(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_ids.unbind(token)
