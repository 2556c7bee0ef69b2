"""The build's one step that setup.cfg cannot say: the checkout keeps templates/, static/,
migrations/, notices/ and translations/ at its top, where the team works on them, and a built
package must carry them inside `marketplace`, where marketplace.locations finds them once
installed, with the catalogues compiled. Metadata and dependencies stay in setup.cfg."""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# = marketplace.locations.FOLDERS
APP_FOLDERS = ("templates", "static", "migrations", "notices", "translations")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithAppFolders(build_py):
    """build_py, then a fresh copy of each app folder into the built package (fresh, so a file
    deleted from the checkout does not linger in the next wheel)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # `pip install -e .` reads the checkout's own
            return
        for name in APP_FOLDERS:
            target = Path(self.build_lib) / "marketplace" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=LEFT_OUT)
        compile_catalogues(Path(self.build_lib) / "marketplace" / "translations")


def compile_catalogues(folder: Path) -> None:
    """Each language's .po compiled to the .mo the app reads (as `pybabel compile` does for a
    checkout): the wheel carries catalogues ready to use."""
    for source in folder.glob("*/LC_MESSAGES/*.po"):
        with source.open("rb") as po_file:
            catalogue = read_po(po_file, locale=source.parent.parent.name)
        with source.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalogue)


setup(cmdclass={"build_py": BuildWithAppFolders})
