"""Storefronts: the tenants of a Pipit installation.

A storefront is tied one-to-one to a Wagtail ``Site`` (which gives it its page tree) and is
resolved from the request host by :class:`pipit.tenancy.middleware.StorefrontMiddleware`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class StorefrontQuerySet(models.QuerySet):
    def for_staff(self, user) -> StorefrontQuerySet:
        """Storefronts a staff user may administer: all for superusers, else their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(role_groups__group__user=user).distinct()


def _theme_choices():
    from pipit.themes.registry import themes

    return [(t.name, t.label) for t in themes().values()]


class Storefront(models.Model):
    site = models.OneToOneField(
        "wagtailcore.Site",
        on_delete=models.PROTECT,
        related_name="storefront",
        verbose_name=_("site"),
        help_text=_("The Wagtail site whose page tree this storefront serves."),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short machine name, e.g. 'cosmetics'.")
    )
    extra_hostnames = models.TextField(
        _("extra host names"),
        blank=True,
        help_text=_(
            "Other host names that serve this storefront, one per line. "
            "The main host name is the site's."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="RUB",
        choices=[("RUB", "RUB"), ("EUR", "EUR"), ("USD", "USD"), ("KZT", "KZT"), ("BYN", "BYN")],
    )
    theme = models.CharField(_("theme"), max_length=60, default="base", choices=_theme_choices)
    vat_rate = models.DecimalField(
        _("VAT rate, %"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_("Added to base prices, which are stored before tax."),
    )
    show_prices_to_anonymous = models.BooleanField(
        _("show prices to anonymous visitors"),
        default=False,
        help_text=_("B2B storefronts usually show prices only to signed-in buyers."),
    )
    categories = models.ManyToManyField(
        "catalogue.Category",
        blank=True,
        related_name="storefronts",
        verbose_name=_("catalog categories"),
        help_text=_("Top categories this storefront sells; their subcategories come with them."),
    )
    warehouses = models.ManyToManyField(
        "inventory.Warehouse",
        blank=True,
        related_name="storefronts",
        verbose_name=_("warehouses"),
        help_text=_("Warehouses this storefront sells from; their partners' offers are shown."),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="storefront",
        verbose_name=_("image and document collection"),
    )
    order_email = models.EmailField(
        _("order notification e-mail"),
        blank=True,
        help_text=_("Staff address that receives a copy of every order."),
    )

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        verbose_name = _("storefront")
        verbose_name_plural = _("storefronts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        others = Storefront.objects.exclude(pk=self.pk).select_related("site")
        taken = set(self.hostnames) & {h for other in others for h in other.hostnames}
        if taken:
            raise ValidationError(
                {
                    "extra_hostnames": _("Already used by another storefront: %(hosts)s")
                    % {"hosts": ", ".join(sorted(taken))}
                }
            )

    @property
    def hostnames(self) -> list[str]:
        extra = [h.strip().lower() for h in self.extra_hostnames.splitlines() if h.strip()]
        return [self.site.hostname.lower(), *extra]

    @property
    def root_page(self):
        return self.site.root_page

    @cached_property
    def warehouse_ids(self) -> list[int]:
        return list(self.warehouses.order_by("priority", "pk").values_list("pk", flat=True))

    @cached_property
    def partner_ids(self) -> list[int]:
        return sorted(set(self.warehouses.values_list("partner_id", flat=True)))

    @cached_property
    def category_paths(self) -> list[str]:
        return list(self.categories.values_list("path", flat=True))

    def category_filter(self, prefix: str = "") -> Q:
        """A ``Q`` matching categories inside this storefront's catalog scope.

        ``prefix`` is the lookup path from the queried model to ``Category`` (e.g. ``"categories__"``
        when filtering products).
        """
        paths = self.category_paths
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for path in paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q


class StorefrontGroup(models.Model):
    """A staff group of one storefront with one role.

    Being in the group gives both the role's permissions and the storefront's scope: staff see
    and change only the data of storefronts whose groups they are in.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Storefront admins")
        EDITOR = "editor", _("Marketing editors")
        PRICING = "pricing", _("Sales ops")
        MANAGER = "manager", _("Sales managers")

    storefront = models.ForeignKey(Storefront, on_delete=models.CASCADE, related_name="role_groups")
    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="storefront_role"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("storefront staff group")
        verbose_name_plural = _("storefront staff groups")
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "role"], name="tenancy_one_group_per_role"
            )
        ]

    def __str__(self) -> str:
        return self.group.name
