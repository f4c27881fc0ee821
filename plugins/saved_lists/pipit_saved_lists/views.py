"""The buyer's pages under /shop/p/saved_lists/ (Pipit answers 404 where the plugin is off).

Every page is for a signed-in buyer of a company of this storefront; anyone else gets the login
page or a 404. A list of another company or storefront is a 404, as if it did not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from pipit.companies.access import require_buyer_company
from pipit.oscar_apps.order.models import Order

from . import services
from .forms import (
    AddBySkuForm,
    AddProductForm,
    FromOrderForm,
    ItemFormSet,
    ListForm,
    SaveToListForm,
)
from .services import NewItem

ITEMS_PREFIX = "items"


def buyer_view(view):
    """Sign-in required; then the buyer's company on this storefront is passed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        company = require_buyer_company(
            request,
            not_found=True,
            message=_("Saved lists are for buyers of a company of this storefront."),
        )
        return view(request, company, *args, **kwargs)

    return wrapper


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when it names one it has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _list_link(saved_list) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("saved_lists:detail", kwargs={"pk": saved_list.pk}),
        saved_list.name,
    )


# -- index and create ---------------------------------------------------------------------------


@buyer_view
def index(request, company):
    lists = list(services.lists_with_counts(request.storefront, company))
    limits = services.limits_for(request.storefront)
    return render(
        request,
        "pipit_saved_lists/index.html",
        {
            "page_title": _("Saved lists"),
            "is_index": True,
            "lists": lists,
            "form": ListForm(storefront=request.storefront, company=company),
            "limits": limits,
            "can_create": len(lists) < limits.max_lists,
        },
    )


@buyer_view
def create(request, company):
    form = ListForm(request.POST or None, storefront=request.storefront, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            saved_list = services.create_list(
                storefront=request.storefront,
                company=company,
                user=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                limits=services.limits_for(request.storefront),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("List “%(name)s” created. Add products by SKU here, or from product pages.")
                % {"name": saved_list.name},
            )
            return redirect("saved_lists:detail", pk=saved_list.pk)
    return render(
        request,
        "pipit_saved_lists/create.html",
        {"page_title": _("New saved list"), "form": form},
    )


# -- one list -----------------------------------------------------------------------------------


def _items(saved_list):
    return saved_list.items.order_by("sort_order", "pk")


def _render_detail(request, company, saved_list, *, formset=None, add_form=None, rename_form=None):
    storefront = request.storefront
    if formset is None:
        formset = ItemFormSet(queryset=_items(saved_list), prefix=ITEMS_PREFIX)
    rows = services.item_rows(storefront, request.strategy, [f.instance for f in formset.forms])
    return render(
        request,
        "pipit_saved_lists/detail.html",
        {
            "page_title": saved_list.name,
            "saved_list": saved_list,
            "formset": formset,
            "lines": list(zip(formset.forms, rows, strict=True)),
            "totals": services.totals(rows),
            "add_form": add_form or AddBySkuForm(storefront=storefront),
            "rename_form": rename_form
            or ListForm(storefront=storefront, company=company, instance=saved_list),
            "rename_open": rename_form is not None,
            "can_delete": services.can_delete(saved_list, request.user),
            "selected": set(request.POST.getlist("selected"))
            if request.method == "POST"
            else set(),
        },
    )


@buyer_view
def detail(request, company, pk):
    """The list's items with today's price and stock; quantities, notes and removal in one form.

    The form's buttons: save the changes, or save them and put the ticked (or all) items in
    the cart.
    """
    saved_list = services.get_list(request.storefront, company, pk)
    if request.method != "POST":
        return _render_detail(request, company, saved_list)

    formset = ItemFormSet(request.POST, queryset=_items(saved_list), prefix=ITEMS_PREFIX)
    if not formset.is_valid():
        return _render_detail(request, company, saved_list, formset=formset)
    with transaction.atomic():
        formset.save()
        changed = bool(formset.changed_objects or formset.deleted_objects)
        if changed:
            services.touch(saved_list, request.user)

    action = request.POST.get("action", "save")
    if action not in {"add_selected", "add_all"}:
        if formset.deleted_objects:
            removed = formset.deleted_objects[0]
            messages.success(
                request, _("“%(title)s” removed from the list.") % {"title": removed.title}
            )
        elif changed:
            messages.success(request, _("Changes saved."))
        return redirect("saved_lists:detail", pk=saved_list.pk)

    items = list(_items(saved_list))
    if action == "add_selected":
        chosen = set(request.POST.getlist("selected"))
        items = [item for item in items if str(item.pk) in chosen]
        if not items:
            messages.error(request, _("Tick the products you want to put in the cart."))
            return redirect("saved_lists:detail", pk=saved_list.pk)
    return _to_cart(request, saved_list, items)


@require_POST
@buyer_view
def add_to_cart(request, company, pk):
    """Put every item of the list in the cart (the index page's button)."""
    saved_list = services.get_list(request.storefront, company, pk)
    return _to_cart(request, saved_list, list(_items(saved_list)))


def _to_cart(request, saved_list, items) -> HttpResponseRedirect:
    if not items:
        messages.info(request, _("The list “%(name)s” is empty.") % {"name": saved_list.name})
        return redirect("saved_lists:detail", pk=saved_list.pk)
    rows = services.item_rows(request.storefront, request.strategy, items)
    outcome = services.add_list_to_basket(request.storefront, request.basket, rows)
    if outcome.added:
        count = len(outcome.added)
        messages.success(
            request,
            format_html(
                "{} {}",
                ngettext(
                    "%(count)d product from the list added to the cart:",
                    "%(count)d products from the list added to the cart:",
                    count,
                )
                % {"count": count},
                _list_link(saved_list),
            ),
            extra_tags="safe",
        )
    if outcome.refused:
        lines = format_html_join(
            "",
            "<li><strong>{}</strong> ({}) × {}: {}</li>",
            (
                (row.title, row.item.sku or "—", row.item.quantity, reason)
                for row, reason in outcome.refused
            ),
        )
        messages.warning(
            request,
            format_html(
                "{}<ul>{}</ul>",
                ngettext(
                    "%(count)d line was not added to the cart:",
                    "%(count)d lines were not added to the cart:",
                    len(outcome.refused),
                )
                % {"count": len(outcome.refused)},
                lines,
            ),
            extra_tags="safe",
        )
    return redirect("basket:summary")


@require_POST
@buyer_view
def add_item(request, company, pk):
    saved_list = services.get_list(request.storefront, company, pk)
    form = AddBySkuForm(request.POST, storefront=request.storefront)
    if form.is_valid():
        product = form.cleaned_data["product"]
        try:
            services.add_items(
                saved_list,
                [NewItem(product, form.cleaned_data["quantity"])],
                user=request.user,
                limits=services.limits_for(request.storefront),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(quantity)d × “%(title)s” added to the list.")
                % {"quantity": form.cleaned_data["quantity"], "title": product.get_title()},
            )
            return redirect("saved_lists:detail", pk=saved_list.pk)
    return _render_detail(request, company, saved_list, add_form=form)


@require_POST
@buyer_view
def rename(request, company, pk):
    saved_list = services.get_list(request.storefront, company, pk)
    form = ListForm(
        request.POST, storefront=request.storefront, company=company, instance=saved_list
    )
    if form.is_valid():
        try:
            services.rename_list(
                saved_list,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                user=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("List details saved."))
            return redirect("saved_lists:detail", pk=saved_list.pk)
    saved_list.refresh_from_db()
    return _render_detail(request, company, saved_list, rename_form=form)


@buyer_view
def delete(request, company, pk):
    saved_list = services.get_list(request.storefront, company, pk)
    if not services.can_delete(saved_list, request.user):
        raise PermissionDenied(
            _("Only the colleague who created this list or a company admin can delete it.")
        )
    if request.method == "POST":
        name = saved_list.name
        saved_list.delete()
        messages.success(request, _("List “%(name)s” deleted.") % {"name": name})
        return redirect("saved_lists:index")
    return render(
        request,
        "pipit_saved_lists/delete.html",
        {
            "page_title": _("Delete “%(name)s”?") % {"name": saved_list.name},
            "saved_list": saved_list,
            "item_count": saved_list.items.count(),
        },
    )


# -- from the cart, an order, a product page ----------------------------------------------------


@buyer_view
def from_cart(request, company):
    """Save the cart's lines as a new list, or add them to an existing one."""
    storefront = request.storefront
    basket = request.basket
    form = SaveToListForm(request.POST or None, storefront=storefront, company=company)
    collected = services.items_from_basket(storefront, basket)
    if request.method == "POST" and form.is_valid():
        if not collected.items:
            form.add_error(None, _("Your cart has no products that can be saved to a list."))
        else:
            saved_list = _save_items(request, company, form, collected.items)
            if saved_list is not None:
                _report_saved(request, saved_list, len(collected.items), collected.left_out)
                return redirect("saved_lists:detail", pk=saved_list.pk)
    return render(
        request,
        "pipit_saved_lists/from_cart.html",
        {
            "page_title": _("Save cart as a list"),
            "form": form,
            "lines": list(basket.all_lines()) if basket.pk else [],
            "collected": collected,
        },
    )


@buyer_view
def from_order(request, company, number):
    """A new list from the lines of one of the company's orders."""
    storefront = request.storefront
    order = Order.objects.for_company(storefront, company).filter(number=number).first()
    if order is None:
        raise Http404(_("No such order."))
    form = FromOrderForm(
        request.POST or None,
        storefront=storefront,
        company=company,
        initial={"name": _("Order %(number)s") % {"number": order.number}},
    )
    collected = services.items_from_order(storefront, order)
    if request.method == "POST" and form.is_valid():
        if not collected.items:
            form.add_error(None, _("None of this order's products is sold on this storefront now."))
        else:
            try:
                saved_list = services.create_list(
                    storefront=storefront,
                    company=company,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    items=collected.items,
                    limits=services.limits_for(storefront),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                _report_saved(request, saved_list, len(collected.items), collected.left_out)
                return redirect("saved_lists:detail", pk=saved_list.pk)
    return render(
        request,
        "pipit_saved_lists/from_order.html",
        {
            "page_title": _("Save order %(number)s as a list") % {"number": order.number},
            "order": order,
            "form": form,
            "collected": collected,
        },
    )


@buyer_view
def add_product(request, company, product_pk):
    """Save a product (or one variant of a product with variants) to a list, with a quantity."""
    storefront = request.storefront
    purchasable = services.purchasable(storefront)
    variants = list(purchasable.filter(parent_id=product_pk).order_by("pk"))
    if variants:
        candidates = purchasable.filter(parent_id=product_pk)
        page_product = variants[0].parent
    else:
        page_product = purchasable.filter(pk=product_pk).first()
        if page_product is None:
            raise Http404(_("This product is not sold on this storefront."))
        candidates = purchasable.filter(pk=product_pk)
    form = AddProductForm(
        request.POST or None,
        storefront=storefront,
        company=company,
        candidates=candidates,
        initial={"product": page_product.pk if not variants else None},
    )
    if request.method == "POST" and form.is_valid():
        product, quantity = form.cleaned_data["product"], form.cleaned_data["quantity"]
        saved_list = _save_items(request, company, form, [NewItem(product, quantity)])
        if saved_list is not None:
            messages.success(
                request,
                format_html(
                    "{} {}",
                    _("%(quantity)d × “%(title)s” saved to the list")
                    % {"quantity": quantity, "title": product.get_title()},
                    _list_link(saved_list),
                ),
                extra_tags="safe",
            )
            return redirect(page_product.get_absolute_url())
    return render(
        request,
        "pipit_saved_lists/add_product.html",
        {
            "page_title": _("Save “%(title)s” to a list") % {"title": page_product.get_title()},
            "form": form,
            "page_product": page_product,
            "has_variants": bool(variants),
        },
    )


def _save_items(request, company, form, items):
    """Add ``items`` to the list the form names, or create the new list it names; None when the
    service refused (its errors are then on the form)."""
    limits = services.limits_for(request.storefront)
    target = form.cleaned_data.get("target")
    try:
        if target is not None:
            services.add_items(target, items, user=request.user, limits=limits)
            return target
        return services.create_list(
            storefront=request.storefront,
            company=company,
            user=request.user,
            name=form.cleaned_data["name"],
            items=items,
            limits=limits,
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return None


def _report_saved(request, saved_list, count: int, left_out: list[str]) -> None:
    messages.success(
        request,
        ngettext(
            "%(count)d product saved to “%(name)s”.",
            "%(count)d products saved to “%(name)s”.",
            count,
        )
        % {"count": count, "name": saved_list.name},
    )
    if left_out:
        messages.warning(
            request,
            format_html(
                "{}<ul>{}</ul>",
                _("Left out, because they are no longer sold on this storefront:"),
                format_html_join("", "<li>{}</li>", ((title,) for title in left_out)),
            ),
            extra_tags="safe",
        )
