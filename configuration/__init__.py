"""Every setting the system reads, in one typed place (see README, "Settings")."""

from configuration.settings import Settings, load

__all__ = ["Settings", "load"]
