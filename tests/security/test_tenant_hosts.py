"""An unknown host is refused; a storefront host never serves another storefront."""


def test_unknown_host_gets_404_not_the_default_site(storefront, client):
    response = client.get("/", HTTP_HOST="nowhere.example")
    assert response.status_code == 404


def test_unknown_host_gets_404_on_shop_and_api_paths(storefront, client):
    for path in ["/shop/basket/", "/api/v1/products/", "/admin/"]:
        assert client.get(path, HTTP_HOST="nowhere.example").status_code == 404, path


def test_storefront_host_serves_its_own_home_page(storefront, other_storefront, client):
    alpha = client.get("/", HTTP_HOST="alpha.test")
    beta = client.get("/", HTTP_HOST="beta.test")
    assert alpha.status_code == 200 and beta.status_code == 200
    assert "<title>Alpha" in alpha.content.decode()
    assert "<title>Beta" in beta.content.decode()


def test_other_storefronts_page_path_is_404_on_this_host(storefront, other_storefront, client):
    from pipit.cms.models import LandingPage

    promo = other_storefront.root_page.add_child(
        instance=LandingPage(title="Beta deals", slug="deals")
    )
    promo.save_revision().publish()
    assert client.get("/deals/", HTTP_HOST="beta.test").status_code == 200
    assert client.get("/deals/", HTTP_HOST="alpha.test").status_code == 404


def test_platform_host_lists_storefronts_but_serves_no_shop(storefront, client):
    index = client.get("/", HTTP_HOST="localhost")
    assert index.status_code == 200 and "alpha.test" in index.content.decode()
    assert client.get("/shop/basket/", HTTP_HOST="localhost").status_code == 404


def test_a_new_host_name_is_served_once_saved(
    storefront, client, django_capture_on_commit_callbacks
):
    assert client.get("/", HTTP_HOST="alpha-shop.test").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        storefront.extra_hostnames = "alpha-shop.test"
        storefront.save()
    assert client.get("/", HTTP_HOST="alpha-shop.test").status_code == 200


def test_warehouse_priority_change_reaches_the_cached_storefront(
    storefront, django_capture_on_commit_callbacks
):
    from pipit.tenancy.resolver import storefront_for_host

    main, north = storefront.warehouses.order_by("priority")
    assert storefront_for_host("alpha.test").warehouse_ids == [main.pk, north.pk]
    with django_capture_on_commit_callbacks(execute=True):
        north.priority = 0
        north.save()
        main.priority = 5
        main.save()
    assert storefront_for_host("alpha.test").warehouse_ids == [north.pk, main.pk]
