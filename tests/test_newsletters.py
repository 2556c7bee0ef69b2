"""Newsletters: composed by the officer for a purpose and a channel, sent only to those whose
consent stands when their message is built, each with a one-click unsubscribe (RFC 8058) that
withdraws the consent in the ledger."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.privacy import newsletters, services
from marketplace.privacy.consent_inputs import NewsletterIn
from marketplace.privacy.export_sections import collect
from marketplace.privacy.models import ConsentRecord
from marketplace.privacy.newsletter_models import Newsletter, NewsletterDelivery, NewsletterStatus
from tests import factories
from tests.conftest import csrf_token, make_test_app, outbox, sign_in_page
from workers.outbox import QueuedTask

OPTED_IN = {"newsletters": True, "channel_email": True, "channel_sms": True}


def _raw_mails(app: Flask, subject: str) -> dict[str, bytes]:
    """The newsletter's mails as written to the outbox, by recipient."""
    found = {}
    for path in sorted((Path(app.config["OUTBOX_PATH"]) / "mail").glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if mail["Subject"] == subject:
            found[mail["To"]] = path.read_bytes()
    return found


def _mails(app: Flask) -> list[email.message.EmailMessage]:
    folder = Path(app.config["OUTBOX_PATH"]) / "mail"
    return (
        [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )


def _newsletter_mails(app: Flask, subject: str) -> dict[str, email.message.EmailMessage]:
    return {str(mail["To"]): mail for mail in _mails(app) if mail["Subject"] == subject}


@pytest.fixture()
def people(ctx: Flask) -> dict[str, factories.Registered]:
    return {
        "keen": factories.buyer(consents=OPTED_IN),
        "also_keen": factories.supplier(consents=OPTED_IN),
        "email_only": factories.buyer(consents={"newsletters": True, "channel_email": True}),
        "not_asked": factories.buyer(),
        "marketing_only": factories.buyer(consents={"marketing": True, "channel_email": True}),
        "officer": factories.staff("grievance_officer"),
    }


def _send(app: Flask, people: dict[str, Any], subject: str, channel: str = "email") -> Any:
    """Compose, preview and send through the officer's pages; the preview page's text."""
    client = app.test_client()
    sign_in_page(client, people["officer"])
    page = client.get("/privacy/newsletters")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page.text),
        "purpose": "newsletters",
        "channel": channel,
        "subject": subject,
        "body": "Steel prices fell 4% this week.",
    }
    made = client.post("/privacy/newsletters", data=form)
    assert made.status_code == 302, made.text
    preview = client.get(made.headers["Location"])
    assert preview.status_code == 200
    unconfirmed = client.post(
        made.headers["Location"] + "/send", data={"csrf_token": csrf_token(preview.text)}
    )
    assert unconfirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Newsletter.status).order_by(Newsletter.id.desc())) == (
            NewsletterStatus.DRAFT
        )  # nothing leaves without the confirmation
    sent = client.post(
        made.headers["Location"] + "/send",
        data={"csrf_token": csrf_token(preview.text), "confirm": "yes"},
    )
    assert sent.status_code == 302
    return preview.text


def test_a_newsletter_reaches_exactly_those_who_consent_with_a_one_click_unsubscribe(app, people):
    preview = _send(app, people, "Steel this week")
    assert re.search(r"<strong>3</strong> people will receive it", preview)
    received = _newsletter_mails(app, "Steel this week")
    wanted = {people[name].email for name in ("keen", "also_keen", "email_only")}
    assert set(received) == wanted
    mail = received[people["keen"].email]
    assert mail["From"].addresses[0].display_name.startswith("TradeSetu")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(https?://[^>]+/unsubscribe/[^>]+)>", mail["List-Unsubscribe"])
    assert link and link[1] in mail.get_content()
    raw = _raw_mails(app, "Steel this week")[people["keen"].email]
    assert f"\nList-Unsubscribe: <{link[1]}>\n".encode() in raw  # as written, not encoded
    # Each person's link is their own and not guessable.
    others = {str(m["List-Unsubscribe"]) for m in received.values()}
    assert len(others) == 3
    with app.app_context():
        row = db.session.scalars(select(Newsletter)).one()
        assert row.status == NewsletterStatus.SENT
        assert db.session.query(NewsletterDelivery).filter_by(sent=True).count() == 3
    listing = app.test_client()
    sign_in_page(listing, people["officer"])
    page = listing.get("/privacy/newsletters").text
    assert re.search(r'class="newsletter-sent">3<', page) and "IST" in page


def test_a_one_click_withdrawal_without_sign_in_stops_the_next_newsletter(app, people):
    _send(app, people, "First issue")
    mail = _newsletter_mails(app, "First issue")[people["keen"].email]
    url = str(mail["List-Unsubscribe"]).strip("<>")
    path = url[url.index("/unsubscribe/") :]
    visitor = app.test_client()  # a mail provider: no session, no CSRF token
    page = visitor.get(path)
    assert page.status_code == 200 and 'name="List-Unsubscribe"' in page.text
    with app.app_context():
        assert services.may_process(
            people["keen"].id, "newsletters", "email"
        )  # GET changes nothing
    done = visitor.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "no more" in done.text
    again = visitor.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    with app.app_context():
        rows = db.session.scalars(
            select(ConsentRecord)
            .where(
                ConsentRecord.user_id == people["keen"].id, ConsentRecord.purpose == "newsletters"
            )
            .order_by(ConsentRecord.id)
        ).all()
        assert [(row.granted, row.source) for row in rows] == [
            (True, "registration"),
            (False, "unsubscribe-email"),
        ]  # the second click records nothing more
        assert not services.may_process(people["keen"].id, "newsletters", "email")
    _send(app, people, "Second issue")
    second = _newsletter_mails(app, "Second issue")
    assert people["keen"].email not in second
    assert people["also_keen"].email in second


def test_the_privacy_page_shows_the_withdrawal(app, people):
    _send(app, people, "First issue")
    mail = _newsletter_mails(app, "First issue")[people["email_only"].email]
    url = str(mail["List-Unsubscribe"]).strip("<>")
    app.test_client().post(
        url[url.index("/unsubscribe/") :], data={"List-Unsubscribe": "One-Click"}
    )
    client = app.test_client()
    sign_in_page(client, people["email_only"])
    row = re.search(r'id="consent-newsletters">.*?</tr>', client.get("/privacy/").text, re.S)
    assert row and "Not granted" in row[0]


def test_consent_is_checked_for_each_person_as_their_message_is_built(ctx, people, monkeypatch):
    """A withdrawal that arrives while the newsletter is going out is kept."""
    officer = db.session.get_one(User, people["officer"].id)
    body = NewsletterIn.model_validate(
        {"purpose": "newsletters", "channel": "email", "subject": "Race", "body": "Hello"}
    )
    row = newsletters.compose(officer, body)
    build = newsletters._build_and_queue
    late = people["also_keen"]

    def withdraw_first(newsletter: Newsletter, user: Any) -> bool:
        if user.id != late.id and services.may_process(late.id, "newsletters"):
            services.record_consents(late.id, {"newsletters": False}, source="settings")
            db.session.flush()
        return build(newsletter, user)

    monkeypatch.setattr(newsletters, "_build_and_queue", withdraw_first)
    newsletters.start_sending(officer, row.id)
    commit()  # the task runs inline after the commit
    received = _newsletter_mails(ctx, "Race")
    assert late.email not in received and people["keen"].email in received
    skipped = db.session.scalars(
        select(NewsletterDelivery.user_id).where(NewsletterDelivery.sent.is_(False))
    ).all()
    assert skipped == [late.id]


def test_a_newsletter_by_sms_carries_a_stop_link_and_fits_two_messages(app, people):
    _send(app, people, "Prices", channel="sms")
    texts = outbox(app, "sms")
    assert len(texts) == 2  # keen and also_keen granted SMS; email_only did not
    assert all("/unsubscribe/" in text for text in texts)
    with pytest.raises(ValidationFailed) as refused:
        NewsletterIn.model_validate(
            {"purpose": "newsletters", "channel": "sms", "subject": "x", "body": "y" * 301}
        )
    assert refused.value.errors == {"body": ["an SMS holds at most 300 characters"]}


def test_a_made_up_unsubscribe_link_is_refused_plainly(client, ctx):
    assert client.get("/unsubscribe/not-a-real-token").status_code == 404
    forged = newsletters.unsubscribe_token(1, "newsletters", "email")[:-2] + "xx"
    refused = client.post(f"/unsubscribe/{forged}", data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 404 and "not valid" in refused.text
    wrong_body = client.post(f"/unsubscribe/{forged}", data={"other": "1"})
    assert wrong_body.status_code == 400


def test_only_the_officer_composes(app, people):
    client = app.test_client()
    sign_in_page(client, people["keen"])
    assert client.get("/privacy/newsletters").status_code == 403
    token = csrf_token(client.get("/account/").text)
    posted = client.post("/privacy/newsletters", data={"csrf_token": token, "subject": "x"})
    assert posted.status_code == 403


def test_with_a_broker_the_task_goes_through_the_outbox_and_checks_consent_when_it_runs(
    database_url, tmp_path, app, people
):
    """On Celery: sending queues the task in the task outbox (JSON arguments); when a worker
    runs it later, a withdrawal made meanwhile is kept, and the messages it builds are queued
    the same way with their List-Unsubscribe headers."""
    worker = make_test_app(database_url, tmp_path, CELERY_BROKER_URL="memory://")
    with worker.app_context():
        officer = db.session.get_one(User, people["officer"].id)
        body = {"purpose": "newsletters", "channel": "email", "subject": "Queued", "body": "Hi"}
        row = newsletters.compose(officer, NewsletterIn.model_validate(body))
        newsletters.start_sending(officer, row.id)
        commit()
        queued = db.session.scalars(select(QueuedTask)).all()
        assert [(task.task, task.args) for task in queued] == [
            ("marketplace.privacy.newsletters.send_newsletter", [row.id])
        ]
        db.session.execute(delete(QueuedTask))
        services.record_consents(people["keen"].id, {"newsletters": False}, source="settings")
        commit()
        celery = worker.extensions["celery"]
        celery.tasks[queued[0].task].apply(args=queued[0].args, kwargs=queued[0].kwargs)
        mails = db.session.scalars(select(QueuedTask)).all()
        recipients = {task.kwargs["to"] for task in mails}
        assert recipients == {people["also_keen"].email, people["email_only"].email}
        for task in mails:
            assert task.task == "marketplace.notifications.deliver_email"
            assert task.kwargs["headers"]["List-Unsubscribe-Post"] == ("List-Unsubscribe=One-Click")
            assert "TradeSetu" in task.kwargs["sender"]
        db.session.execute(delete(QueuedTask))
        commit()
        db.engine.dispose()


def test_the_access_export_lists_the_newsletters_sent_or_held_back(app, people):
    _send(app, people, "Exported issue")
    with app.app_context():
        keen = db.session.get_one(User, people["keen"].id)
        rows = collect(keen)["newsletters"]
    assert [(row["subject"], row["purpose"], row["channel"], row["sent"]) for row in rows] == [
        ("Exported issue", "newsletters", "email", True)
    ]


def test_a_bare_sender_address_gets_the_portals_name(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAIL_FROM", "news@tradesetu.example")
    assert newsletters.portal_sender() == (
        "TradeSetu Marketplace Private Limited <news@tradesetu.example>"
    )
