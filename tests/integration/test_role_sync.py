"""After `migrate`, existing storefront staff groups hold what their roles grant now."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate

from pipit.tenancy.models import StorefrontGroup

pytestmark = pytest.mark.django_db


def test_migrate_gives_existing_sales_ops_the_permissions_of_new_screens(storefront):
    group = StorefrontGroup.objects.get(storefront=storefront, role="pricing").group
    group.permissions.filter(codename__in=["publish_pricerule", "add_orderpromotion"]).delete()
    assert not group.permissions.filter(codename="publish_pricerule").exists()

    for config in apps.get_app_configs():  # what `migrate` sends, app by app
        post_migrate.send(
            sender=config,
            app_config=config,
            using="default",
            verbosity=0,
            interactive=False,
            plan=[],
            apps=apps,
        )

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"publish_pricerule", "add_orderpromotion"} <= codenames
