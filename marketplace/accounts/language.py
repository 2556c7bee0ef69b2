"""A person's language, kept on their account so that every page, mail and SMS they get is
in it, whichever device or worker produces it."""

from __future__ import annotations

from marketplace.accounts.models import User


def remember_language(user: User, code: str) -> None:
    user.language = code
