"""What a matched supplier reads of a buy requirement before unlocking the buyer's contact: the
words the buyer typed (what they need, the details, the city) with every phone number, email
address and link hidden (marketplace.identifiers.mask_contacts), so that the contact cannot be
read from the description for free. The buyer reads their own words as they wrote them."""

from __future__ import annotations

from typing_extensions import TypedDict

from marketplace.identifiers import mask_contacts
from marketplace.leads.models import BuyRequirement


class RequirementWords(TypedDict):
    product_name: str
    description: str
    city: str


def masked_words(requirement: BuyRequirement) -> RequirementWords:
    """The requirement's free text as a supplier who has not unlocked it may read it."""
    return {
        "product_name": mask_contacts(requirement.product_name) or "",
        "description": mask_contacts(requirement.description) or "",
        "city": mask_contacts(requirement.city) or "",
    }
