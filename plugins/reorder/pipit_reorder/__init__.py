"""Repeat order: a Pipit plugin (id "reorder")."""

__version__ = "0.1.0"
