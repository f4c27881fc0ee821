"""The quick order page as a buyer uses it: paste, check, fix, add to the cart."""

from __future__ import annotations

from django.utils import formats
from oscar.apps.basket.models import Basket
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from .conftest import RESTOCK

URL = "/shop/p/quick_order/"


def check(client, text: str):
    return client.post(URL, {"text": text, "action": "check"})


def rows(response) -> dict[str, str]:
    """Status of each line number in the result table (from the rendered HTML classes)."""
    result = response.context["result"]
    return {m.line.number: m.status.value for m in result.lines}


def cart_of(user) -> dict[str, int]:
    basket = Basket.open.get(owner=user)
    return {line.product.title: line.quantity for line in basket.all_lines()}


def fifty_lines(catalog) -> str:
    """50 lines: known SKUs written every way, out-of-stock, short, unknown and bad ones."""
    lines = []
    for n in range(10):
        lines += [
            f"15208-65F0E\t{n + 1}" if n == 0 else f"15208 65f0e;{1}",  # merged into line 1
            "16546-JG30A 2",  # out of stock
            f"NOPE-{n:04d} 1",  # unknown, no look-alike
            "ddf 2000, 1" if n else "DDF-2000;5",  # short (5 > 3), then merged
            "15208-65F0F 1" if n % 2 else "C 2029;2,5",  # typo → suggestion / bad quantity
        ]
    return "\n".join(lines)


def test_fifty_pasted_lines_are_matched_priced_and_explained(buyer_client, enabled, catalog):
    response = check(buyer_client, fifty_lines(catalog))
    assert response.status_code == 200
    result = response.context["result"]
    assert len(result.lines) == 50
    statuses = rows(response)
    assert statuses[1] == "ok"  # 15208-65F0E, 1 + 9 merged lines = 10 pieces
    assert result.lines[0].quantity == 10 and len(result.lines[0].merged_from) == 9
    assert statuses[6] == "merged"
    assert statuses[2] == "out_of_stock"
    assert statuses[3] == "unmatched"
    assert statuses[4] == "short"  # 5 + 9 merged = 14 asked, 3 in stock
    assert statuses[5] == "bad"
    assert statuses[10] == "unmatched"  # 15208-65F0F: a look-alike of 15208-65F0E
    html = response.content.decode()
    # Out of stock: the restock date and the analog.
    out = result.lines[1]
    assert out.offer.restock_date == RESTOCK
    assert formats.date_format(RESTOCK, "SHORT_DATE_FORMAT") in html
    assert [a.sku for a in out.analogs] == ["C 2029"]
    # Unknown with a look-alike SKU: suggested with its title.
    assert [s.sku for s in result.lines[9].suggestions] == ["15208-65F0E"]
    assert "Did you mean:" in html
    # Prices and stock per warehouse are shown for matched lines.
    assert "450" in html and "Main warehouse" in html and "North warehouse" in html
    assert "“2,5” is not a whole number" in html
    assert "Only 3 available" in html
    assert "Add 1 good line to cart" in html


def test_adding_puts_only_good_lines_in_the_cart_with_their_exact_quantity(
    buyer_client, buyer, enabled, catalog
):
    response = buyer_client.post(
        URL,
        {
            "checked": "1",
            "text": "15208-65F0E 4\n16546-JG30A 1\nNOPE 1\nDDF-2000 2\nDDF-2000 9",
            "action": "add",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/shop/basket/"
    # DDF-2000: 2 + 9 = 11 > 3 in stock, so neither goes in (never a smaller quantity).
    assert cart_of(buyer) == {"Oil filter": 4}
    page = buyer_client.get(response["Location"]).content.decode()
    assert "1 line (4 pcs.) added to the cart" in page
    assert "3 lines were not added" in page
    # The lines left out wait on the quick order page.
    again = buyer_client.get(URL)
    assert again.context["form"].initial["text"] == "16546-JG30A 1\nNOPE 1\nDDF-2000 2"


def test_nothing_ready_nothing_added(buyer_client, buyer, enabled, catalog):
    response = buyer_client.post(URL, {"checked": "1", "text": "NOPE 1", "action": "add"})
    assert response.status_code == 200
    assert "No line is ready for the cart yet" in response.content.decode()
    assert not Basket.objects.filter(owner=buyer, lines__isnull=False).exists()


def test_picking_a_suggestion_rewrites_the_line_and_keeps_its_quantity(
    buyer_client, enabled, catalog
):
    response = buyer_client.post(
        URL,
        {
            "checked": "1",
            "text": "15208-65F0F 3\n16546-JG30A 2",
            "pick": f"0|{catalog['filter'].pk}|15208-65F0E|3",
        },
    )
    first = response.context["result"].lines[0]
    assert (first.line.text, first.status.value, first.quantity) == ("15208-65F0E; 3", "ok", 3)
    # The analog of the out-of-stock line, picked the same way.
    response = buyer_client.post(
        URL,
        {
            "checked": "1",
            "text": "15208-65F0E; 3\n16546-JG30A 2",
            "pick": f"1|{catalog['analog'].pk}|C 2029|2",
        },
    )
    assert [m.status.value for m in response.context["result"].lines] == ["ok", "ok"]


def test_short_line_offers_the_quantity_in_stock_but_does_not_change_it(
    buyer_client, enabled, catalog
):
    response = check(buyer_client, "X 1\nDDF-2000 5")
    short = response.context["result"].lines[1]
    assert (short.status.value, short.quantity) == ("short", 5)
    assert "Order 3 instead" in response.content.decode()


def test_a_long_checked_list_is_one_form_field(buyer_client, storefront, catalog):
    # 1,500 rows: one field for the list, whatever Django's limit on the number of fields.
    enable_plugin(storefront, "quick_order", max_lines=2000)
    text = "\n".join(f"15208-65F0E {n % 3 + 1}" for n in range(1500))
    response = buyer_client.post(URL, {"checked": "1", "text": text, "action": "check"})
    assert response.status_code == 200
    assert len(response.context["result"].lines) == 1500


def test_removing_a_line(buyer_client, enabled, catalog):
    response = buyer_client.post(
        URL, {"checked": "1", "text": "15208-65F0E 1\nNOPE 1", "remove": "1"}
    )
    assert [m.line.sku for m in response.context["result"].lines] == ["15208-65F0E"]


def test_ambiguous_code_lists_the_products_to_choose_from(buyer_client, enabled, storefront):
    one = factories.product(storefront, "Wiper 500", sku="WB-500")
    other = factories.product(storefront, "Wiper 500 (UPC)", sku="WB-500-X")
    other.upc = "wb 500"
    other.save()
    response = check(buyer_client, "X 1\nWB-500 2")
    line = response.context["result"].lines[1]
    assert line.status.value == "ambiguous"
    assert {o.pk for o in line.candidates} == {one.pk, other.pk}
    assert "Which product do you mean?" in response.content.decode()
    response = buyer_client.post(
        URL, {"checked": "1", "text": "X 1\nWB-500 2", "choose": f"1|{other.pk}"}
    )
    line = response.context["result"].lines[1]
    assert (line.status.value, line.offer.pk) == ("ok", other.pk)
    # The choice travels with the list: checking again keeps it.
    assert response.context["choices"] == f"1:{other.pk}"
    response = buyer_client.post(
        URL, {"checked": "1", "text": "X 1\nWB-500 2", "choices": f"1:{other.pk}"}
    )
    assert response.context["result"].lines[1].offer.pk == other.pk


def test_a_space_separated_code_ending_in_digits_is_found_whole(buyer_client, enabled, storefront):
    factories.product(storefront, "Bosch filter", sku="0 986 452 041")
    response = check(buyer_client, "X 1\n0 986 452 041\n0986452041 3")
    first, second, third = response.context["result"].lines
    assert (second.status.value, second.quantity, second.line.quantity_given) == ("ok", 4, False)
    assert third.status.value == "merged"


# -- who may use it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(anon_client, enabled):
    response = anon_client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"] and "next=/shop/p/quick_order/" in response["Location"]


def test_staff_without_a_company_are_told_why(client_for, storefront, enabled):
    staff = factories.staff(storefront)
    response = client_for(storefront, staff).get(URL)
    assert response.status_code == 403
    assert "Quick order is for company buyers" in response.content.decode()


def test_buyer_of_a_suspended_company_is_signed_out_as_everywhere(buyer_client, company, enabled):
    company.is_active = False
    company.save()
    response = buyer_client.get(URL)
    # Pipit's authentication no longer admits a suspended company's buyers.
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_switched_off_the_page_is_404_and_the_header_link_is_gone(
    buyer_client, storefront, catalog
):
    assert buyer_client.get(URL).status_code == 404
    home = buyer_client.get("/shop/basket/").content.decode()
    assert 'href="/shop/p/quick_order/"' not in home
    enable_plugin(storefront, "quick_order")
    home = buyer_client.get("/shop/basket/").content.decode()
    assert 'href="/shop/p/quick_order/"' in home
    enable_plugin(storefront, "quick_order", enabled=False)
    assert buyer_client.get(URL).status_code == 404


def test_other_storefront_has_no_quick_order(client_for, other_storefront, enabled):
    buyer = factories.buyer(factories.company(other_storefront))
    assert client_for(other_storefront, buyer).get(URL).status_code == 404


def test_products_of_another_storefront_are_not_matched(
    buyer_client, enabled, catalog, other_storefront
):
    factories.product(other_storefront, "Beta only", sku="BETA-1")
    response = check(buyer_client, "X 1\nBETA-1 1")
    assert response.context["result"].lines[1].status.value == "unmatched"


def test_account_menu_links_to_quick_order_and_aliases(buyer_client, enabled):
    html = buyer_client.get("/shop/accounts/profile/").content.decode()
    assert 'href="/shop/p/quick_order/"' in html
    assert 'href="/shop/p/quick_order/aliases/"' in html
