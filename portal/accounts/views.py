"""Member-facing account pages: register, log in and out, profile, password."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_user, logout_user

from portal.accounts import services, signup
from portal.accounts.forms import (
    HomeRequestForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    registration_form,
)
from portal.accounts.homes import unit_picker
from portal.accounts.permissions import public, require_fresh_login, require_login
from portal.core.forms import EmptyForm
from portal.core.i18n import is_supported
from portal.core.security import safe_next
from portal.core.uow import form_errors
from portal.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")
account_bp = Blueprint("account", __name__, url_prefix="/account")


def _account_key(action: str):
    """A throttle key per account for `action`, whatever IP the attempts come from."""
    return lambda: f"{action}:" + request.form.get("email", "").strip().lower()[:254]


def _mail_sent(response) -> bool:
    """Only answers that sent a mail count against an address (not a mistyped form)."""
    return response.status_code == 302


def _without_lang(path: str) -> str:
    """Drop `?lang=` from the page we go back to, else it would beat the new choice."""
    parts = urlsplit(path)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def reset_tokens() -> services.ResetTokens:
    config = current_app.config
    return services.ResetTokens(config["SECRET_KEY"], config["PASSWORD_RESET_MAX_AGE"])


def start_session(user, remember: bool = False) -> None:
    """Log in with a fresh session: old keys go, so a planted cookie is worthless."""
    lang = session.get("lang")
    session.clear()
    login_user(user, remember=remember)
    if lang:
        session["lang"] = lang


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key("signup"), deduct_when=_mail_sent)
@public
def register():
    """The register form. Valid input always gets the same answer, "check your e-mail",
    whether or not the address has an account (`portal.accounts.signup`)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = registration_form(locale=session.get("lang") or request.args.get("lang") or "zh_Hant")
    if form.validate_on_submit():
        with form_errors(form):  # an invalid address, on the email field
            signup.request_sign_up(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, phone=form.phone.data,
                locale=form.locale.data, extra=form.extra_data(),
                max_age=current_app.config["SIGNUP_CONFIRM_MAX_AGE"])
            return redirect(url_for("auth.register_sent"))
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/register/sent")
@public
def register_sent():
    return render_template("accounts/register_sent.html")


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@public
def confirm_sign_up(token: str):
    """The link of the sign-up e-mail: a page with one button (mail scanners follow links,
    so a GET creates nothing); its POST creates the account and logs the member in."""
    pending = signup.find_pending_sign_up(token)
    if pending is None:
        return render_template("accounts/signup_invalid.html", expired=False), 404
    if signup.has_expired(pending, current_app.config["SIGNUP_CONFIRM_MAX_AGE"]):
        return render_template("accounts/signup_invalid.html", expired=True), 410
    form = EmptyForm()
    if form.validate_on_submit():
        with form_errors(form):  # an account made meanwhile, a feature refusing the sign-up
            signed_up = signup.confirm_sign_up(pending)
            start_session(signed_up.user)
            flash(_("Welcome to the club!"), "success")
            for notice in signed_up.notices:  # e.g. a referral code that could not be used
                flash(notice, "warning")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("accounts/signup_confirm.html", form=form, pending=pending), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key("login"))
@public
def login():
    target = safe_next(request.values.get("next"), url_for("home.index"))
    if current_user.is_authenticated and login_fresh():
        return redirect(target)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:  # a rehashed password is committed with the request
            start_session(user, remember=form.remember.data)
            return redirect(target)
        form.password.errors.append(_("Wrong email or password."))
    if form.errors:
        status = 400
    return render_template("accounts/login.html", form=form, next=target), status


@bp.post("/logout")
@require_login
def logout():
    services.end_sessions(current_user)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("home.index"))


@bp.post("/lang/<code>")
@public
def switch_language(code: str):
    """The language switcher (a POST: it writes the member's setting); works for anonymous
    visitors too, whose choice is kept in the session."""
    target = _without_lang(safe_next(request.form.get("next"), url_for("home.index")))
    if not is_supported(code):
        return redirect(target)
    session["lang"] = code
    if current_user.is_authenticated:
        services.set_locale(current_user, code)
    return redirect(target)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key("reset"))
@public
def reset_request():
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, reset_tokens())
        return render_template("accounts/reset_sent.html")
    status = 400 if form.errors else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@public
def reset_password(token: str):
    """Choose a new password with a link from the reset email (single use, expiring)."""
    user = reset_tokens().user_for(token)
    if user is None or not user.is_active_account:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password is changed. Log in with the new password."), "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form), status


@account_bp.route("/", methods=["GET", "POST"])
@require_login
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, display_name=form.display_name.data,
                                phone=form.phone.data, locale=form.locale.data,
                                timezone=form.timezone.data)
        session["lang"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    status = 400 if form.errors else 200
    return render_template("accounts/profile.html", form=form,
                           password_form=PasswordChangeForm(prefix="pw")), status


@account_bp.route("/password", methods=["POST"])
@require_login
@require_fresh_login
def change_password():
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        with form_errors(form, "current_password"):
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
            # This device stays logged in (with the new token); the others are out.
            start_session(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("account.profile"))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user),
                           password_form=form), 400


@account_bp.route("/homes", methods=["GET", "POST"])
@require_login
def homes():
    """My units and verification requests, and the form to ask for one: development →
    building (one GET each, `?development=&building=`) → unit, then the request."""
    picker = unit_picker(request.args.get("development"), request.args.get("building"))
    form = HomeRequestForm()
    form.unit.choices = [(None, _("Choose your unit")),
                         *((unit.id, unit.number) for unit in picker.units)]
    if form.validate_on_submit():
        unit = next(unit for unit in picker.units if unit.id == form.unit.data)
        with form_errors(form, "unit"):
            services.request_verification(current_user, unit, form.contract_number.data,
                                          form.purchased_on.data)
            flash(_("Thank you. Customer service will check your request."), "success")
            return redirect(url_for("account.homes"))
    status = 400 if form.errors else 200
    return render_template("accounts/homes.html", form=form, picker=picker,
                           ownerships=services.ownerships_of(current_user)), status
