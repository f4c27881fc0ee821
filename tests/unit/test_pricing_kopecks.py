"""The engine's kopeck conversion answers by value: its cache is keyed by value, so an answer by
a decimal's exponent made 249.48 and 249.4800 collide (a crash when one was seen first)."""

from decimal import Decimal

from pipit.pricing.engine import ListRow, _kopecks, compute_prepared


def test_equal_values_give_equal_kopecks_whichever_is_seen_first():
    assert _kopecks(Decimal("249.4800")) == 24948
    assert _kopecks(Decimal("249.48")) == 24948
    assert _kopecks(Decimal("0.0000")) == 0
    assert _kopecks(Decimal("1.005")) is None
    assert _kopecks(Decimal("-1")) is None


def test_a_base_beyond_kopecks_and_a_free_list_row_after_it():
    _kopecks(Decimal("249.4800"))  # seen first, as in a long compile
    _kopecks(Decimal("0"))
    row = ListRow(list_id=1, priority=0, min_quantity=2, price=Decimal("0.0000"))
    tiers = compute_prepared(Decimal("249.4750"), None, {"storefront": [row]}, [])
    assert [(t.min_quantity, t.price) for t in tiers] == [
        (1, Decimal("249.48")),
        (2, Decimal("0.00")),
    ]
