"""How domains react to each other without importing each other.

Accounts says that a supplier changed; the catalogue, which owns the search documents that show
the supplier's name, city and GST badge, re-indexes that supplier's products. Accounts says that
a deactivated account signed in again; privacy, which closed it, reopens it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the supplier profile id. Sent inside the transaction that made the change.
supplier_changed = _signals.signal("supplier-changed")

# sender: the User, an account its owner deactivated, just signed in with the right password.
# Sent inside the sign-in's transaction; privacy reactivates it and puts its listings back.
deactivated_account_signed_in = _signals.signal("deactivated-account-signed-in")

# sender: the user id of a team member who was removed, marked away or given another role;
# `supplier_id` their business. Sent inside the change's transaction; leads, which assigns leads
# to people, hands back the leads that person may no longer work.
team_member_changed = _signals.signal("team-member-changed")
