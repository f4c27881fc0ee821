"""Event hooks run on a real Celery worker, after the order's transaction commits.

The worker is another process, so a monkeypatched entry point would not reach it: the test writes
a real (tiny) installed distribution -- a package plus its ``.dist-info`` with an entry point in
the ``pipit.plugins`` group -- and puts it on the path of both processes. Needs PostgreSQL and
Redis (the ``celery_worker_process`` fixture skips otherwise).
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)

PLUGIN_SOURCE = '''
"""A plugin that writes every order_placed payload to a file in its out_dir setting."""

import json
from pathlib import Path

from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook


class FileSink(Plugin):
    id = "file_sink"
    name = "File sink"
    version = "0.1"

    @hook("order_placed")
    def on_order(self, payload, *, storefront, settings):
        out = Path(settings["out_dir"]) / f"{payload['order_number']}.json"
        out.write_text(json.dumps({"storefront": storefront.code, "payload": payload}))
'''


@pytest.fixture(scope="module")
def plugin_dist(tmp_path_factory) -> Path:
    """A directory holding the installed ``pipit-file-sink`` distribution."""
    root = tmp_path_factory.mktemp("site")
    (root / "pipit_file_sink.py").write_text(textwrap.dedent(PLUGIN_SOURCE))
    info = root / "pipit_file_sink-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pipit-file-sink\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[pipit.plugins]\nfile_sink = pipit_file_sink:FileSink\n"
    )
    return root


@pytest.fixture
def worker_pythonpath(plugin_dist) -> list[str]:
    return [str(plugin_dist)]


@pytest.fixture
def file_sink_installed(plugin_dist, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_dist))
    registry.reload()
    assert "file_sink" in registry.plugins(), registry.errors()
    yield
    # Lazy: the next discovery happens after monkeypatch has taken the directory off sys.path.
    registry.reload()


def _place(sf, company, user):
    product = factories.product(sf, "Bond serum", price="990.00", stock={"main": 4})
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=sf, user=user)
    basket.add_product(product, 2)
    return place_order(
        storefront=sf, user=user, basket=basket, shipping_address=company.addresses.get()
    )


def _wait_for(path: Path, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.2)
    return False


def test_order_placed_reaches_the_plugin_on_the_worker_only_where_switched_on(
    file_sink_installed,
    celery_worker_process,
    storefront,
    other_storefront,
    company,
    buyer,
    tmp_path,
):
    out = tmp_path / "events"
    out.mkdir()
    enable_plugin(storefront, "file_sink", out_dir=str(out))
    enable_plugin(other_storefront, "file_sink", enabled=False, out_dir=str(out))
    beta_company = factories.company(other_storefront, "Beta Salon LLC")
    beta_buyer = factories.buyer(beta_company)

    # Beta's order first: the solo worker handles its event before alpha's, so once alpha's file
    # exists, beta's event has been seen and ignored.
    beta_order = _place(other_storefront, beta_company, beta_buyer)
    order = _place(storefront, company, buyer)

    written = out / f"{order.number}.json"
    assert _wait_for(written), celery_worker_process["process"].stdout.peek()[:2000]
    assert json.loads(written.read_text()) == {
        "storefront": "alpha",
        "payload": {
            "order_number": order.number,
            "storefront_id": storefront.pk,
            "company_id": company.pk,
            "total_incl_tax": str(order.total_incl_tax),
            "currency": storefront.currency,
        },
    }
    assert not (out / f"{beta_order.number}.json").exists()
    assert [p.name for p in out.iterdir()] == [written.name]
