"""Endpoints of other systems written in text, for SS401/SS402.

A thin layer over ``saltscan.endpoints`` (through ``saltscan.api``), the one
extractor the graph uses too: what counts as an endpoint, and what does not
(versions, matcher specs, loopback, the machine's own names), is decided there.
"""

from __future__ import annotations

from saltscan import api

Endpoint = api.Endpoint
endpoints_in = api.endpoints_in
names_self = api.names_self


def endpoints_of(text: str) -> tuple[Endpoint, ...]:
    """``endpoints_in(text)``, collected (pure: the rules memoise it per scan)."""
    return tuple(endpoints_in(text))


__all__ = ["Endpoint", "endpoints_in", "endpoints_of", "names_self"]
