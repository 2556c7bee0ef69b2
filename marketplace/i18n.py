"""The language a person reads: English or Hindi, through Flask-Babel's catalogues.

A person picks it with the switcher on every page (kept on their account and in a cookie, so a
guest keeps it too); until then the browser's Accept-Language decides. Mails and SMS go out in
the recipient's language, whoever's request sends them (`in_language_of`). Locales are Babel's
Indian ones, so numbers, money and dates are grouped and named as in India."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import force_locale, get_locale
from flask_login import current_user

from marketplace import locations
from marketplace.extensions import babel

# The languages offered: code -> the name a reader of that language knows it by.
LANGUAGES = {"en": "English", "hi": "हिन्दी"}
DEFAULT_LANGUAGE = "en"
# Babel's Indian locale for each: lakh/crore grouping, ₹, and India's names of months.
LOCALES = {"en": "en_IN", "hi": "hi_IN"}
COOKIE = "lang"
COOKIE_DAYS = 365


def known_language(code: str | None) -> str | None:
    """A language this portal offers, or None ('hi-IN', 'HI' and 'hi_IN' are all Hindi)."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def requested_language() -> str:
    """The person's choice (their account's, else their cookie's), else their browser's."""
    if current_user and current_user.is_authenticated:
        chosen = known_language(getattr(current_user, "language", None))
        if chosen:
            return chosen
    chosen = known_language(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def select_locale() -> str:
    """Babel's locale for this request; outside one (a task, a command) English until a
    recipient's language is forced with `in_language`."""
    if not has_request_context():
        return LOCALES[DEFAULT_LANGUAGE]
    return LOCALES[requested_language()]


def current_language() -> str:
    """'en' or 'hi': what this request (or the language forced around it) reads."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Render a mail, an SMS or a document in a given language (the recipient's, not the
    sender's: an officer's reply reaches a Hindi complainant in Hindi)."""
    with force_locale(LOCALES[known_language(code) or DEFAULT_LANGUAGE]):
        yield


def remember_in_cookie(response: Response, code: str) -> Response:
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT_LANGUAGE])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Kolkata")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(locations.TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current_language)
