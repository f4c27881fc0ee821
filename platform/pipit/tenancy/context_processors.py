def storefront(request):
    sf = getattr(request, "storefront", None)
    return {"storefront": sf}
