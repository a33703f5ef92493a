"""Routing: which partners get which offer, decided by rules/routing.toml (partner kind,
territory of the workplace, job family)."""

from mailbot.routing.places import Place, read_place
from mailbot.routing.route import Routed, included, record_routing, route, route_offer
from mailbot.routing.rules import RoutingRules, check_partners, load_routing, parse_routing

__all__ = [
    "Place",
    "Routed",
    "RoutingRules",
    "check_partners",
    "included",
    "load_routing",
    "parse_routing",
    "read_place",
    "record_routing",
    "route",
    "route_offer",
]
