"""Where the app's own files are: templates, static files (with the invoices' fonts), migrations
and the published notices, and where its instance folder goes.

A checkout keeps these folders at its top, beside the `marketplace` package; a built wheel
carries them inside the package (setup.py's build_py copies them in), because an installed
package has no checkout around it. This module is the one place that knows which: everything
that reads these files asks it, never `__file__`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# The folders a wheel must carry (setup.py copies exactly these; a test checks the wheel).
FOLDERS = ("templates", "static", "migrations", "notices", "translations")


def find_root(package: Path) -> Path:
    """The folder holding every one of FOLDERS: the package itself once built and installed,
    else the checkout around it. Neither is a broken build, said at once rather than as a
    missing template on the first request."""
    for root in (package, package.parent):
        if all((root / name).is_dir() for name in FOLDERS):
            return root
    raise FileNotFoundError(
        f"The app's folders ({', '.join(FOLDERS)}) are neither inside {package} (an installed "
        f"package) nor beside it in {package.parent} (a checkout): the package was built "
        "without them (build it with `pip wheel .` from a checkout)."
    )


ROOT = find_root(PACKAGE)
IN_CHECKOUT = ROOT != PACKAGE

TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
MIGRATIONS = ROOT / "migrations"
NOTICES = ROOT / "notices"
# Babel's catalogues: translations/<language>/LC_MESSAGES/messages.po, compiled to .mo.
TRANSLATIONS = ROOT / "translations"
FONTS = STATIC / "vendor" / "dejavu"
DEVANAGARI_FONTS = STATIC / "vendor" / "noto-devanagari"


def instance_path(environ: Mapping[str, str]) -> str:
    """INSTANCE_PATH when set; in a checkout, its instance/ (as it always was); for an installed
    package, Flask's own default for one, `<prefix>/var/marketplace-instance` (inside the
    virtual environment), never site-packages. Anything that reads the configuration before an
    app exists (gunicorn's master) asks here too."""
    if environ.get("INSTANCE_PATH"):
        return environ["INSTANCE_PATH"]
    if IN_CHECKOUT:
        return str(ROOT / "instance")
    return str(Path(sys.prefix) / "var" / "marketplace-instance")
