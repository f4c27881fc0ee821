"""Demo data: SKU aliases of the first demo company of a storefront (``manage.py load_demo``)."""

from __future__ import annotations

from django.db import transaction
from pipit.catalog.queries import purchasable_for_storefront
from pipit.companies.models import Company
from pipit.oscar_apps.partner.models import StockRecord

from .models import SkuAlias
from .parsing import normalise_sku

#: How many of the storefront's products get an alias: the company's own stock numbers.
DEMO_ALIASES = 5


def load_demo_aliases(storefront) -> None:
    """Give the storefront's first company aliases "<its initials>-1001"… for its first products.

    Idempotent: the same products get the same aliases on every load.
    """
    company = Company.objects.filter(storefront=storefront).order_by("pk").first()
    if company is None:
        return
    initials = "".join(
        word[0] for word in company.name.replace("«", " ").split() if word[0].isalpha()
    )
    prefix = (initials[:4] or "C").upper()
    records = (
        StockRecord.objects.filter(
            partner_id__in=storefront.partner_ids,
            product__in=purchasable_for_storefront(storefront).values("pk"),
        )
        .select_related("product")
        .order_by("partner_sku")[:DEMO_ALIASES]
    )
    with transaction.atomic():
        for number, record in enumerate(records, start=1001):
            alias = f"{prefix}-{number}"
            SkuAlias.objects.update_or_create(
                company=company,
                normalised=normalise_sku(alias),
                defaults={"alias": alias, "product": record.product},
            )
