import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """An order always belongs to a storefront: a storefront-less order would be invisible to
    every scoped queryset."""

    dependencies = [
        ("order", "0023_order_storefront"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="storefront",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="tenancy.storefront",
                verbose_name="storefront",
            ),
        ),
    ]
