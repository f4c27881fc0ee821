"""Demo lists: what ``manage.py load_demo`` writes for a storefront that lists this plugin."""

from __future__ import annotations

from pipit.companies.models import Company, CompanyMember
from pipit.pricing.strategy import StorefrontStrategy

from . import services
from .models import SavedList, SavedListItem

# (Russian name, English name, how many products, quantities repeated over them)
DEMO_LISTS = [
    ("Ежемесячная закупка", "Monthly restock", 6, [10, 4, 6, 2, 12, 3]),
    ("Срочный дозаказ", "Urgent top-up", 3, [2, 1, 5]),
]


def load_demo(storefront) -> None:
    """For each active company of ``storefront``: the demo lists, made by its first member.

    Products are the storefront's purchasable ones that are in stock, each company starting at
    another one so that the lists differ. A list that already exists (by name) is left alone,
    so the buyers' changes survive a reload of the demo.
    """
    products = _stocked_products(storefront)
    if not products:
        return
    russian = (storefront.language or "").lower().startswith("ru")
    companies = Company.objects.filter(storefront=storefront, is_active=True).order_by("pk")
    for index, company in enumerate(companies):
        member = (
            CompanyMember.objects.filter(company=company)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        author = member.user if member else None
        offset = index * 2
        for ru_name, en_name, count, quantities in DEMO_LISTS:
            name = ru_name if russian else en_name
            saved_list, created = SavedList.objects.get_or_create(
                storefront=storefront,
                company=company,
                name=name,
                defaults={"created_by": author, "updated_by": author},
            )
            if not created:
                continue
            chosen = [products[(offset + i) % len(products)] for i in range(count)]
            SavedListItem.objects.bulk_create(
                SavedListItem(
                    saved_list=saved_list,
                    product=product,
                    sku=services.sku_of(product),
                    title=services.title_of(product),
                    quantity=quantities[i % len(quantities)],
                    sort_order=i + 1,
                )
                for i, product in enumerate(dict.fromkeys(chosen))
            )
            offset += count


def _stocked_products(storefront) -> list:
    strategy = StorefrontStrategy(storefront=storefront)
    products = list(services.purchasable(storefront).order_by("pk")[:60])
    return [p for p in products if strategy.fetch_for_product(p).availability.is_available_to_buy]
