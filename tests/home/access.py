from tests.access import Route, everyone

RULES = [
    Route("home.index", everyone(200)),
    Route("home.healthz", everyone(200)),
    Route("home.favicon", everyone(200)),
]
