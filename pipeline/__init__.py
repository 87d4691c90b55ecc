"""Turns French pages about the World Customs Organization's partnerships into clean, checked data."""

__version__ = "0.1.0"
