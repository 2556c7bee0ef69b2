from __future__ import annotations

from typing import Any

from flask import current_app

from marketplace.formatting import iso_utc
from marketplace.privacy.services import current_consents


def consents_owner(user_id: int) -> dict[str, Any]:
    return {
        "policy_version": current_app.config["PRIVACY_POLICY_VERSION"],
        "purposes": [
            {
                "purpose": state.purpose.id,
                "label": state.purpose.label,
                "required": state.purpose.required,
                "granted": state.granted,
                "updated_at": iso_utc(state.updated_at),
            }
            for state in current_consents(user_id)
        ],
    }
