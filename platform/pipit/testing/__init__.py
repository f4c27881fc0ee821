"""Pipit's public test kit: build storefronts, catalogs, companies and users in a few lines.

Plugin authors use it as Pipit's own tests do::

    from pipit.testing import factories

    def test_something(db):
        sf = factories.storefront("tools")
        product = factories.product(sf, "Hammer", price="120.00", stock={"main": 5})

The pytest fixtures in :mod:`pipit.testing.fixtures` wrap these (``pytest_plugins = [...]``).
"""
