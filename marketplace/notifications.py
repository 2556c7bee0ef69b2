"""Mail and SMS. Messages are rendered in the request, then delivered by a task after commit.

Each is written in its recipient's language (`language=`: an account's `User.language`, a
guest's the language of the request they made), whoever's request or task sends it: the
subject and the SMS text may be lazy strings (`lazy_gettext`), turned into text in that
language together with the body, whose dates and money are then formatted in it as well.

Backends: `file` (the embedded default) writes each message under instance/outbox/ so that a
developer can read it; `smtp` and the `http` SMS gateway are for production.
"""

from __future__ import annotations

import json
import smtplib
import uuid
from contextlib import AbstractContextManager, nullcontext
from email import policy
from email.message import EmailMessage
from pathlib import Path

import requests
from celery import shared_task
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import LazyString

from marketplace.db import utcnow
from marketplace.i18n import in_language
from workers import enqueue


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for a message: on PUBLIC_BASE_URL when set, else on the host of the request."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base is None and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)


# `language=` left out: the message reads in the language in force (the request's own, for a
# message to the person making it, or an enclosing `in_language`). Given, even as None (an
# account that never chose one: English), it is the recipient's.
IN_FORCE = "in force"


def _written_in(language: str | None) -> AbstractContextManager[None]:
    return nullcontext() if language == IN_FORCE else in_language(language)


def send_email(
    to: str,
    subject: str | LazyString,
    template: str,
    *,
    language: str | None = IN_FORCE,
    **context: object,
) -> None:
    with _written_in(language):
        body = render_template(f"email/{template}.txt", **context)
        subject = str(subject)
    enqueue(deliver_email, to=to, subject=subject, body=body)


def send_sms(to: str, text: str | LazyString, *, language: str | None = IN_FORCE) -> None:
    with _written_in(language):
        text = str(text)
    enqueue(deliver_sms, to=to, text=text)


def _outbox_file(kind: str, suffix: str) -> Path:
    folder = Path(current_app.config["OUTBOX_PATH"]) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}{suffix}"


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def deliver_email(
    to: str,
    subject: str,
    body: str,
    sender: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """`sender` and `headers` are for messages that need their own (a newsletter's
    List-Unsubscribe); everything else goes from MAIL_FROM."""
    config = current_app.config
    # Headers up to SMTP's 998 characters stay on one line: a List-Unsubscribe URL folded into
    # encoded words (RFC 2047) is no longer a URL that mail providers recognise (RFC 8058).
    message = EmailMessage(policy=policy.default.clone(max_line_length=998))
    message["From"] = sender or config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, cte="8bit")  # links stay whole in the outbox and in the source
    if config["MAIL_BACKEND"] == "file":
        _outbox_file("mail", ".eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True, max_retries=5)
def deliver_sms(to: str, text: str) -> None:
    config = current_app.config
    payload = {"to": to, "text": text, "sender": config["SMS_SENDER_ID"]}
    if config["SMS_BACKEND"] == "file":
        _outbox_file("sms", ".json").write_text(json.dumps(payload, ensure_ascii=False))
        return
    response = requests.post(
        config["SMS_GATEWAY_URL"],
        json=payload,
        headers={"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN'] or ''}"},
        timeout=10,
    )
    response.raise_for_status()
