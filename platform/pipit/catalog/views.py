from django.views.generic import ListView

from .queries import products_for_storefront, with_purchase_info


class CatalogIndexView(ListView):
    template_name = "catalog/index.html"
    context_object_name = "products"
    paginate_by = 24

    def get_queryset(self):
        sf = self.request.storefront
        return with_purchase_info(products_for_storefront(sf), sf).order_by("title")


class SearchView(CatalogIndexView):
    template_name = "catalog/search.html"

    def get_queryset(self):
        qs = super().get_queryset()
        q = self.request.GET.get("q", "").strip()
        return qs.filter(title__icontains=q) if q else qs.none()
