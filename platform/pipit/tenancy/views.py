from django.template.response import TemplateResponse

from .models import Storefront


def platform_index(request):
    """What a platform host (e.g. localhost) shows at "/": the storefronts of this installation."""
    storefronts = Storefront.objects.select_related("site").order_by("name")
    return TemplateResponse(
        request, "tenancy/platform_index.html", {"storefronts": storefronts}
    ).render()
