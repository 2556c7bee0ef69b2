"""The public JSON API, version 1: thin handlers over the domain services, one module per
domain, each registering its operations on the blueprint (`marketplace.api.blueprint`)."""

from marketplace.api import (  # noqa: F401  (each module registers its routes on import)
    accounts,
    buyleads,
    catalog,
    consent_managers,
    credits,
    grievances,
    leads,
    openapi,
    privacy,
    reviews,
    supplier_profiles,
    team,
    webhooks,
)
from marketplace.api.blueprint import bp as bp
