"""Oscar looks up ``partner.strategy.Selector``; Pipit's lives in :mod:`pipit.pricing.strategy`."""

from oscar.apps.partner.strategy import *  # noqa: F403

from pipit.pricing.strategy import Selector  # noqa: F401,E402
