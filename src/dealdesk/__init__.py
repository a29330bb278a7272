"""DealDesk: a terminal dashboard for the AI compute build-out."""

__version__ = "0.1.0"
