"""Storefronts: the tenants of a Pipit installation.

A storefront is tied one-to-one to a Wagtail ``Site`` (which gives it its page tree) and is
resolved from the request host by :class:`pipit.tenancy.middleware.StorefrontMiddleware`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState


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


class StorefrontApprovalTask(Task):
    """A workflow step approved by staff holding a role *on the object's storefront*.

    Wagtail's group approval task is installation-wide: its approvers would see and approve other
    storefronts' drafts, and its "awaiting your review" list would name them. This task reads the
    storefront from the object (``storefront_id``) and the approver's roles from their storefront
    staff groups, so each storefront approves its own drafts (price rules, price lists, banners).
    """

    roles = models.CharField(
        _("approving roles"),
        max_length=60,
        default=StorefrontGroup.Role.ADMIN,
        help_text=_(
            "Comma-separated storefront roles whose members approve: admin, editor, pricing, "
            "manager."
        ),
    )

    admin_form_fields = [*Task.admin_form_fields, "roles"]

    class Meta:
        verbose_name = _("storefront approval task")
        verbose_name_plural = _("storefront approval tasks")

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.roles.split(",") if r.strip())

    def approving_storefronts(self, user) -> set[int]:
        from .access import staff_roles

        return {sf for sf, held in staff_roles(user).items() if held & self.role_set}

    def can_approve(self, obj, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return getattr(obj, "storefront_id", None) in self.approving_storefronts(user)

    def user_can_access_editor(self, obj, user):
        return self.can_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self.can_approve(obj, user)

    def user_can_lock(self, obj, user):
        return self.can_approve(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.can_approve(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        allowed = self.approving_storefronts(user)
        if not allowed:
            return TaskState.objects.none()
        keep = []
        by_type: dict[int, dict[str, int]] = {}
        for state_id, type_id, object_id in states.values_list(
            "pk", "workflow_state__base_content_type_id", "workflow_state__object_id"
        ):
            by_type.setdefault(type_id, {})[object_id] = state_id
        for type_id, objects in by_type.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            if model is None or not hasattr(model, "storefront_id"):
                continue
            mine = model._default_manager.filter(
                pk__in=list(objects), storefront_id__in=allowed
            ).values_list("pk", flat=True)
            keep.extend(objects[str(pk)] for pk in mine)
        return self.task_states.filter(pk__in=keep)

    @classmethod
    def get_description(cls):
        return _("Staff with the chosen roles on the object's storefront approve it")
