"""A person's language, kept on their account so that every page, mail and SMS they get is
in it, whichever device or worker produces it."""

from __future__ import annotations

from marketplace.accounts.models import User
from marketplace.i18n import DEFAULT_LANGUAGE, current_language


def remember_language(user: User, code: str) -> None:
    user.language = code


def language_to_keep() -> str | None:
    """For a new account: the language its pages were read in, so that its mails and SMS read
    the same. English, the default, is left unset: such an account's pages go on following
    the browser (an account's language outranks it) until the person picks one."""
    code = current_language()
    return None if code == DEFAULT_LANGUAGE else code
