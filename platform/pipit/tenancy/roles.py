"""What each storefront staff role may do. Scope (which storefront) comes from the group itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import StorefrontGroup

Role = StorefrontGroup.Role

# Page permissions on the storefront's own page tree (Wagtail's GroupPagePermission).
PAGE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
    Role.EDITOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    Role.PRICING: [],
    Role.MANAGER: [],
}

# Image and document permissions on the storefront's own collection.
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    Role.EDITOR: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    Role.PRICING: ["wagtailimages.choose_image"],
    Role.MANAGER: ["wagtaildocs.add_document", "wagtaildocs.choose_document"],
}

_EDITOR = [
    "cms.add_promobanner",
    "cms.change_promobanner",
    "cms.delete_promobanner",
    "cms.publish_promobanner",
    "cms.lock_promobanner",
    "cms.unlock_promobanner",
]
# Permissions on the storefront's own Wagtail site only (GroupSitePermission). Site settings such as
# design tokens must not be global model permissions: Wagtail's settings view would then let the
# holder pick and edit any site.
SITE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ["themes.change_designtokens"],
    Role.EDITOR: ["themes.change_designtokens"],
    Role.PRICING: [],
    Role.MANAGER: [],
}

_CATALOG = [
    "catalogue.view_product",
    "catalogue.change_product",
    "catalogue.add_product",
    "catalogue.view_category",
    "partner.view_stockrecord",
    "partner.change_stockrecord",
    "partner.add_stockrecord",
    "inventory.view_warehousestock",
    "inventory.change_warehousestock",
    "inventory.view_warehouse",
]
# Customer groups, price lists with their rows, price rules: drafts, publishing, locking.
_PRICING = [
    "pricing.add_pricelist",
    "pricing.change_pricelist",
    "pricing.delete_pricelist",
    "pricing.publish_pricelist",
    "pricing.lock_pricelist",
    "pricing.unlock_pricelist",
    "pricing.view_pricelist",
    "pricing.add_pricerule",
    "pricing.change_pricerule",
    "pricing.delete_pricerule",
    "pricing.publish_pricerule",
    "pricing.lock_pricerule",
    "pricing.unlock_pricerule",
    "pricing.view_pricerule",
    "pricing.add_pricelistitem",
    "pricing.change_pricelistitem",
    "pricing.delete_pricelistitem",
    "pricing.view_pricelistitem",
    "pricing.add_customergroup",
    "pricing.change_customergroup",
    "pricing.delete_customergroup",
    "pricing.view_customergroup",
    "promotions.add_orderpromotion",
    "promotions.change_orderpromotion",
    "promotions.delete_orderpromotion",
    "promotions.view_orderpromotion",
    "promotions.publish_orderpromotion",
    "promotions.lock_orderpromotion",
    "promotions.unlock_orderpromotion",
]
_SALES = [
    "companies.view_company",
    "companies.change_company",
    "companies.add_company",
    "companies.view_companymember",
    "companies.add_companymember",
    "companies.change_companymember",
    "companies.view_registrationrequest",
    "companies.change_registrationrequest",
    "order.view_order",
    "order.change_order",
]

# Django model permissions (app_label.codename); every role also gets into the Wagtail admin.
MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "tenancy.view_storefront",
        "tenancy.change_storefront",
        *_EDITOR,
        *_CATALOG,
        *_SALES,
        *_PRICING,
        "inventory.change_warehouse",
        "catalogue.add_category",
        "catalogue.change_category",
        "companies.delete_companymember",
    ],
    Role.EDITOR: [*_EDITOR, "catalogue.view_product", "catalogue.view_category"],
    Role.PRICING: [*_CATALOG, *_PRICING, "companies.view_company"],
    Role.MANAGER: [*_SALES, "catalogue.view_product", "inventory.view_warehousestock"],
}

ROLE_DESCRIPTIONS = {
    Role.ADMIN: _("Everything on this storefront: pages, banners, catalog, companies, orders."),
    Role.EDITOR: _("Pages, promo banners, images and the storefront's design tokens."),
    Role.PRICING: _("Catalog, prices and stock."),
    Role.MANAGER: _("Companies, registration requests and orders."),
}
