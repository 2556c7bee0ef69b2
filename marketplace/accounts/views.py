"""Account pages: register, sign in and out, profile, keys, email and password links."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from marketplace import audit, audit_sentences
from marketplace.accounts import (
    api_keys,
    authentication,
    email_addresses,
    password_changes,
    phone_verification,
    photos,
    policy,
    profile_edits,
    registration,
    sessions,
    user_directory,
)
from marketplace.accounts.forms import (
    ActionForm,
    ApiKeyForm,
    BusinessPhotoForm,
    ForgotPasswordForm,
    PasswordChangeForm,
    PhoneCodeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    SignInForm,
    accepted,
    apply_errors,
)
from marketplace.accounts.inputs import (
    IntegrationKeyIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    ProfileChange,
    RegistrationIn,
)
from marketplace.accounts.models import Role, User
from marketplace.accounts.schemas import business_profile
from marketplace.errors import Conflict, ValidationFailed
from marketplace.extensions import limiter
from marketplace.grievances.filters import audit_filters
from marketplace.privacy import purposes
from marketplace.privacy.services import current_consents
from marketplace.validation import validated
from marketplace.web import local_target, no_store, requested_page

bp = Blueprint("accounts", __name__, url_prefix="/account")

_POST_ONLY = {"methods": ["POST"]}
_AUDIT_PER_PAGE = 50


def _safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site after sign-in."""
    return local_target(target, url_for("accounts.profile"))


def sign_in_browser(user: User, *, remember: bool = False) -> None:
    """Start a server-side session for this browser; its id is all the cookies carry."""
    sessions.start_web_session(user)
    login_user(user, remember=remember)


def _register(role: Role):  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegistrationForm()
    if not accepted(form):
        return _registration_page(form, role, 400 if request.method == "POST" else 200)
    try:
        user = registration.register_account(
            validated(RegistrationIn, form.service_data(str(role)))
        )
    except (ValidationFailed, Conflict) as refused:  # 422, or 409 saying the account exists
        apply_errors(form, refused.errors)
        if isinstance(refused, Conflict):
            form.form_errors.append(refused.detail)
        return _registration_page(form, role, refused.status)
    sign_in_browser(user)
    flash(_("Welcome! We have sent you an email to confirm your address."), "success")
    return redirect(url_for("accounts.profile"))


def _registration_page(form: RegistrationForm, role: Role, status: int):  # type: ignore[no-untyped-def]
    page = render_template(
        "accounts/register.html", form=form, role=str(role), purposes=purposes.PURPOSES
    )
    return page, status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour; 3 per minute", **_POST_ONLY)
def register():  # type: ignore[no-untyped-def]
    return _register(Role.BUYER)


@bp.route("/register/supplier", methods=["GET", "POST"])
@limiter.limit("10 per hour; 3 per minute", **_POST_ONLY)
def register_supplier():  # type: ignore[no-untyped-def]
    return _register(Role.SUPPLIER)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per hour", **_POST_ONLY)
def sign_in():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if accepted(form):
        try:
            user = authentication.authenticate(form.email.data, form.password.data, channel="web")
        except (authentication.SignInFailed, authentication.SignInThrottled) as refused:
            # Rendered, not raised, so the failure counters and audit row are committed.
            form.form_errors.append(refused.detail)
            status = refused.status
        else:
            sign_in_browser(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/sign_in.html", form=form), status


@bp.post("/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
    form = ActionForm()
    if accepted(form) and current_user.is_authenticated:
        sessions.end_web_session(current_user._get_current_object())
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


# The profile form's business fields, and the supplier's attribute each shows.
_BUSINESS_FIELDS = {
    "company_name": "company_name",
    "gstin": "gstin",
    "address_line1": "address_line1",
    "address_city": "city",
    "address_state": "state",
    "address_pincode": "pincode",
}


def _profile_form(user: User) -> ProfileForm:
    """The profile form showing the account's details as they stand."""
    supplier = user.supplier
    business = {
        field: getattr(supplier, attribute) if supplier else None
        for field, attribute in _BUSINESS_FIELDS.items()
    }
    if supplier:
        business.update(business_profile(supplier))
    return ProfileForm(
        formdata=None, name=user.name, email=user.email, phone=user.phone, **business
    )


def _profile_context(user: User, forms: dict[str, Any]) -> dict[str, Any]:
    supplier = user.supplier
    return {
        "user": user,
        "supplier": supplier,
        "profile_form": forms.get("profile_form") or _profile_form(user),
        "password_form": forms.get("password_form") or PasswordChangeForm(formdata=None),
        "key_form": forms.get("key_form") or ApiKeyForm(formdata=None),
        "photo_form": BusinessPhotoForm(formdata=None),
        "phone_code_form": forms.get("phone_code_form") or PhoneCodeForm(formdata=None),
        "action_form": ActionForm(),
        "new_key": forms.get("new_key"),
        # The business's keys: the owner's and a manager's page alike.
        "manages_keys": policy.can_create_integration_key(user),
        "api_keys": api_keys.business_keys(user) if policy.can_create_integration_key(user) else [],
        "scope_labels": policy.SCOPE_LABELS,
        "role_labels": user_directory.ROLE_LABELS,
        "photos": photos.business_photos(supplier) if supplier else [],
        "max_photos": photos.MAX_PHOTOS,
        "consents": current_consents(user.id),
    }


def _profile_page(**forms: Any):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    page = render_template("accounts/profile.html", **_profile_context(user, forms))
    response = make_response(page, forms.get("status", 200))
    return no_store(response) if forms.get("new_key") else response  # shows a key once


@bp.get("/")
@login_required
def profile():  # type: ignore[no-untyped-def]
    return _profile_page()


@bp.post("/")
@login_required
def update_profile():  # type: ignore[no-untyped-def]
    form = ProfileForm()
    if not accepted(form):
        return _profile_page(profile_form=form, status=400)
    user = current_user._get_current_object()
    asked_before = user.pending_email
    try:
        change = validated(ProfileChange, form.service_data(supplier=bool(user.supplier)))
        profile_edits.update_profile(user, change)
    except (ValidationFailed, Conflict) as refused:
        apply_errors(form, refused.errors)
        return _profile_page(profile_form=form, status=refused.status)
    flash(_("Your details are saved."), "success")
    if user.pending_email and user.pending_email != asked_before:
        flash(_pending_email_message(user), "info")
    return redirect(url_for("accounts.profile"))


def _pending_email_message(user: User) -> str:
    return _(
        "To use %(pending)s, open the link we have sent there. Until then we keep "
        "writing to %(email)s.",
        pending=user.pending_email,
        email=user.email,
    )


@bp.post("/password")
@login_required
@limiter.limit("10 per hour")
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordChangeForm()
    if not accepted(form):
        return _profile_page(password_form=form, status=400)
    user = current_user._get_current_object()
    try:
        ended = password_changes.change_password(
            user, validated(PasswordChangeIn, form.service_data())
        )
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _profile_page(password_form=form, status=422)
    sign_in_browser(user)  # every session ended, this one included: start it again
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    if ended["keys_revoked"]:
        flash(_keys_revoked_message(ended["keys_revoked"]), "info")
    return redirect(url_for("accounts.profile"))


def _keys_revoked_message(count: int) -> str:
    return ngettext(
        "%(num)d integration key revoked.",
        "%(num)d integration keys revoked.",
        count,
    )


@bp.post("/api-keys")
@login_required
def create_api_key():  # type: ignore[no-untyped-def]
    form = ApiKeyForm()
    if not accepted(form):
        return _profile_page(key_form=form, status=400)
    try:
        key, _unused = api_keys.create_integration_key(
            current_user._get_current_object(), validated(IntegrationKeyIn, form.service_data())
        )
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _profile_page(key_form=form, status=422)
    return _profile_page(new_key=key)


@bp.post("/api-keys/<int:key_id>/revoke")
@login_required
def revoke_api_key(key_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    api_keys.revoke_integration_key(current_user._get_current_object(), key_id)
    flash(_("The key is revoked; requests that use it are now refused."), "info")
    return redirect(url_for("accounts.profile") + "#api-keys")


@bp.post("/photos")
@login_required
def upload_photo():  # type: ignore[no-untyped-def]
    form = BusinessPhotoForm()
    if not accepted(form):
        abort(400)
    upload = form.image.data
    try:
        photos.add_photo(
            current_user._get_current_object(),
            upload.stream if upload else None,
            {"caption": form.caption.data},
        )
    except ValidationFailed as refused:
        for field, messages in refused.errors.items():
            for message in messages:
                flash(_photo_refusal_message(field, message), "error")
    else:
        flash(_("Photo added. Buyers see it on your storefront."), "success")
    return redirect(url_for("accounts.profile") + "#photos")


def _photo_refusal_message(field: str, problem: str) -> str:
    if field == "caption":
        return _("Photo not added: the caption %(problem)s.", problem=problem)
    return _("Photo not added: %(problem)s.", problem=problem)


@bp.post("/photos/<int:photo_id>/delete")
@login_required
def remove_photo(photo_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    photos.delete_photo(current_user._get_current_object(), photo_id)
    flash(_("Photo removed."), "info")
    return redirect(url_for("accounts.profile") + "#photos")


@bp.post("/verify-email/resend")
@login_required
@limiter.limit("5 per hour")
def resend_verification():  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    email_addresses.send_email_verification(current_user._get_current_object())
    flash(_("We have sent a new confirmation email."), "info")
    return redirect(url_for("accounts.profile"))


@bp.post("/phone-verification")
@login_required
@limiter.limit("5 per hour; 3 per minute")
def send_phone_code():  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    try:
        phone_verification.start(current_user._get_current_object())
    except Conflict as refused:
        flash(refused.detail, "error")
    else:
        flash(
            _(
                "We have sent a code by SMS to your mobile. It works for %(minutes)s minutes.",
                minutes=int(phone_verification.PHONE_CODE_TTL.total_seconds() // 60),
            ),
            "info",
        )
    return redirect(url_for("accounts.profile") + "#verify-mobile")


@bp.post("/phone-verification/confirm")
@login_required
@limiter.limit("10 per minute; 100 per hour")
def confirm_phone_code():  # type: ignore[no-untyped-def]
    form = PhoneCodeForm()
    if not accepted(form):
        return _profile_page(phone_code_form=form, status=400)
    try:
        confirmation = validated(phone_verification.PhoneCodeIn, {"code": form.code.data})
        phone_verification.confirm(current_user._get_current_object(), confirmation)
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _profile_page(phone_code_form=form, status=refused.status)
    except Conflict as refused:
        flash(refused.detail, "error")
        return redirect(url_for("accounts.profile") + "#verify-mobile")
    flash(_("Thank you: your mobile number is verified."), "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/verify-email/<token>")
def verify_email(token: str):  # type: ignore[no-untyped-def]
    try:
        email_addresses.verify_email(token)
    except ValidationFailed as refused:
        return render_template("accounts/link_problem.html", detail=refused.detail), 400
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/confirm-email/<token>")
def confirm_email_change(token: str):  # type: ignore[no-untyped-def]
    try:
        user = email_addresses.confirm_email_change(token)
    except (ValidationFailed, Conflict) as refused:
        return render_template("accounts/link_problem.html", detail=refused.detail), 400
    flash(_("Thank you: your account now uses %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/undo-email-change/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", **_POST_ONLY)
def undo_email_change(token: str):  # type: ignore[no-untyped-def]
    """A page with a button, not a GET that acts: mail scanners open links."""
    form = ActionForm()
    if accepted(form):
        try:
            email_addresses.undo_email_change(token)
        except (ValidationFailed, Conflict) as refused:
            return render_template("accounts/link_problem.html", detail=refused.detail), 400
        logout_user()
        flash(
            _(
                "The change is undone and every device and key is signed out. If you did not "
                "ask for it, reset your password now."
            ),
            "success",
        )
        return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/undo_email_change.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", **_POST_ONLY)
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if accepted(form):
        password_changes.request_password_reset(form.email.data)
        flash(_("If an account has this email, a reset link is on its way."), "info")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", **_POST_ONLY)
def reset_password(token: str):  # type: ignore[no-untyped-def]
    form = ResetPasswordForm()
    status = 200
    if accepted(form):
        try:
            password_changes.reset_password(
                validated(PasswordResetConfirmIn, {"token": token, "password": form.password.data})
            )
        except ValidationFailed as refused:
            if "token" in refused.errors:
                return render_template("accounts/link_problem.html", detail=refused.detail), 400
            apply_errors(form, refused.errors)
            status = 422
        else:
            flash(_("Your password is changed. Please sign in with it."), "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form), status


@bp.get("/audit")
@login_required
def audit_log():  # type: ignore[no-untyped-def]
    policy.require_read_audit_log(current_user)
    page_number = requested_page(last=10_000)
    chosen = audit_filters(request.args)
    rows, total = audit.recent_events(
        action=chosen["action"],
        actor_id=chosen["actor_id"],
        since=chosen["since"],
        until=chosen["until"],
        page=page_number,
        per_page=_AUDIT_PER_PAGE,
    )
    return _audit_page(rows, total, page_number, chosen)


def _audit_page(rows: list[Any], total: int, page: int, chosen: dict[str, Any]) -> str:
    return render_template(
        "accounts/audit.html",
        rows=rows,
        total=total,
        page=page,
        per_page=_AUDIT_PER_PAGE,
        action=chosen["action"],
        chosen=chosen,
        lines=audit_sentences.read(rows),
        actions=audit_sentences.action_choices(audit.recorded_actions()),
        actors=audit.recorded_actors(),
        action_label=audit_sentences.action_label,
    )
