"""saltscan: static analysis of SaltStack trees for containerization audits."""

__version__ = "0.1.0"
