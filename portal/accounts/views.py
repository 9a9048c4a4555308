"""Member-facing account pages: register, log in and out, profile, password."""

from __future__ import annotations

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
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm, RegisterForm
from portal.core.i18n import is_supported
from portal.core.security import safe_next
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")
account_bp = Blueprint("account", __name__, url_prefix="/account")


def _login_account_key() -> str:
    """Throttle key per account, whatever IP the attempts come from."""
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def start_session(user, remember: bool = False) -> None:
    """Log in with a fresh session: old keys go, so a planted cookie is worthless."""
    lang = session.get("lang")
    session.clear()
    login_user(user, remember=remember)
    if lang:
        session["lang"] = lang


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm(locale=session.get("lang") or request.args.get("lang") or "zh_Hant")
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, phone=form.phone.data,
                locale=form.locale.data,
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Welcome to the club!"), "success")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key)
def login():
    target = safe_next(request.values.get("next"), url_for("home.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()  # a rehashed password
            start_session(user, remember=form.remember.data)
            return redirect(target)
        form.password.errors.append(_("Wrong email or password."))
    if form.errors:
        status = 400
    return render_template("accounts/login.html", form=form, next=target), status


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("home.index"))


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The language switcher; works for anonymous visitors (kept in the session)."""
    if not is_supported(code):
        return redirect(url_for("home.index"))
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("home.index")))


@account_bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.phone = (form.phone.data or "").strip() or None
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        db.session.commit()
        session["lang"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    status = 400 if form.errors else 200
    return render_template("accounts/profile.html", form=form,
                           password_form=PasswordChangeForm(prefix="pw")), status


@account_bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            start_session(current_user)  # this device stays logged in; others are out
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("account.profile"))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user),
                           password_form=form), 400
