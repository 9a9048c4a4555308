"""Signals through which features meet without importing each other (Blinker, as in
Flask and indico). Core declares them; the feature that acts sends, the features that
care connect in their `init_app`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered", doc="""
A new account was created (inside the registration's unit of work).
sender: the new `User`; `extra`: the values of the fields other features added to the
registration form (`portal.core.hooks.add_registration_field`). A receiver may return a
translated notice for the new member (shown after sign-up), or None.
""")
