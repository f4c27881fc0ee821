"""Buyer companies, their people and addresses, and sign-up requests from the storefront."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

inn_validator = RegexValidator(
    r"^(\d{10}|\d{12})$", _("INN is 10 digits (company) or 12 (person).")
)
kpp_validator = RegexValidator(r"^\d{9}$", _("KPP is 9 digits."))


class CompanyQuerySet(models.QuerySet):
    def for_storefront(self, storefront) -> CompanyQuerySet:
        return self.filter(storefront=storefront)

    def for_staff(self, user) -> CompanyQuerySet:
        from pipit.tenancy.models import Storefront

        return self.filter(storefront__in=Storefront.objects.for_staff(user))


class Company(ClusterableModel):  # clusterable: the admin edits its addresses inline
    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.PROTECT,
        related_name="companies",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, validators=[inn_validator])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[kpp_validator])
    code = models.CharField(
        _("code in CRM/ERP"),
        max_length=64,
        blank=True,
        help_text=_(
            "The company's code in your CRM or ERP. Contract price imports can name the company "
            "by it instead of the INN."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "inn", "kpp"], name="companies_unique_legal_entity"
            ),
            # An import names a company by its code: two companies with one code would make
            # the row ambiguous.
            models.UniqueConstraint(
                fields=["storefront", "code"],
                condition=~models.Q(code=""),
                name="companies_unique_code",
                violation_error_message=_("Another company of this storefront has this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompanyAddress(models.Model):
    company = ParentalKey(
        Company, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("company")
    )
    label = models.CharField(_("label"), max_length=80, help_text=_("e.g. 'Main warehouse'"))
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[("legal", _("Legal address")), ("delivery", _("Delivery address"))],
        default="delivery",
    )
    postcode = models.CharField(_("postcode"), max_length=16)
    city = models.CharField(_("city"), max_length=120)
    line1 = models.CharField(_("street and building"), max_length=255)
    line2 = models.CharField(_("office, floor, gate"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    is_default = models.BooleanField(
        _("default delivery address"),
        default=False,
        help_text=_("Preselected at checkout. Choosing another address unmarks this one."),
    )

    class Meta:
        verbose_name = _("company address")
        verbose_name_plural = _("company addresses")
        ordering = ["-is_default", "label"]
        constraints = [
            # The checkout preselects the default; two would make the choice arbitrary.
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(is_default=True, kind="delivery"),
                name="companies_one_default_delivery_address",
                violation_error_message=_("A company has only one default delivery address."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.one_line}"

    @property
    def one_line(self) -> str:
        return ", ".join(p for p in [self.postcode, self.city, self.line1, self.line2] if p)


class CompanyMember(models.Model):
    """A user's seat in a buyer company. A buyer belongs to exactly one company."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Company admin")
        BUYER = "buyer", _("Buyer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="company_membership",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="members", verbose_name=_("company")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.BUYER)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.company}"


class RegistrationRequest(models.Model):
    """A would-be buyer asks for an account; staff approve it (B2B storefronts are not open)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="registration_requests",
        verbose_name=_("storefront"),
    )
    company_name = models.CharField(_("company name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, validators=[inn_validator])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[kpp_validator])
    contact_name = models.CharField(_("your name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32)
    city = models.CharField(_("city"), max_length=120, blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.TextField(
        _("rejection reason"), blank=True, help_text=_("Sent to the requester.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration_requests",
        verbose_name=_("company"),
    )

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.email})"
