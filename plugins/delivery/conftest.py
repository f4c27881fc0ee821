# Pipit's test kit: storefront (alpha.test), other_storefront (beta.test), company, buyer,
# client_for(storefront, user), buyer_client, ... See docs/plugins.md, "Testing".
pytest_plugins = ["pipit.testing.fixtures"]
