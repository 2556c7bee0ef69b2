"""How domains react to each other without importing each other.

Accounts says that a supplier changed; the catalogue, which owns the search documents that show
the supplier's name, city and GST badge, re-indexes that supplier's products.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the supplier profile id. Sent inside the transaction that made the change.
supplier_changed = _signals.signal("supplier-changed")
