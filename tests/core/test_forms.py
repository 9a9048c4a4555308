import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from portal.core.forms import StrictIntegerField, amount_range


class AmountForm(FlaskForm):
    amount = StrictIntegerField("Amount", validators=[amount_range(1)])


@pytest.mark.parametrize("raw", [
    "-1", "0", "1.5", "1e3", "NaN", "sNaN", "Infinity", str(2**63), str(10**30), "١٠", "１０",
    "1_000", "", " ", "10000001",
])
def test_refuses_what_is_not_a_plain_positive_amount(app, raw):
    with app.test_request_context():
        form = AmountForm(formdata=MultiDict({"amount": raw}), meta={"csrf": False})
        assert not form.validate()
        assert form.amount.errors


@pytest.mark.parametrize(("raw", "value"), [("1", 1), (" 250 ", 250), ("10000000", 10_000_000)])
def test_accepts_plain_amounts(app, raw, value):
    with app.test_request_context():
        form = AmountForm(formdata=MultiDict({"amount": raw}), meta={"csrf": False})
        assert form.validate(), form.errors
        assert form.amount.data == value


def test_first_value_wins_when_the_field_is_repeated(app):
    with app.test_request_context():
        form = AmountForm(formdata=MultiDict([("amount", "1"), ("amount", "1000")]),
                          meta={"csrf": False})
        assert form.validate() and form.amount.data == 1
