from tests.access import ALLOWED, LOGIN, Route, everyone, signed_in

RULES = [
    Route("auth.register", everyone(200) | signed_in(302, anonymous=200)),
    Route("auth.register", everyone(ALLOWED), method="POST"),
    Route("auth.login", everyone(200) | signed_in(302, anonymous=200)),
    Route("auth.login", everyone(ALLOWED), method="POST"),
    Route("auth.logout", signed_in(302, anonymous=LOGIN), method="POST"),
    Route("auth.switch_language", everyone(302), path="/auth/lang/en?next=/"),
    Route("account.profile", signed_in(200)),
    Route("account.profile", signed_in(ALLOWED), method="POST"),
    Route("account.change_password", signed_in(ALLOWED), method="POST"),
]
