"""Delivery: a Pipit plugin."""

__version__ = "0.1.0"
