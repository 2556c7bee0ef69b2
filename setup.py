"""The build's one step that setup.cfg cannot say: the checkout keeps templates/, static/,
migrations/ and notices/ at its top, where the team works on them, and a built package must
carry them inside `marketplace`, where marketplace.locations finds them once installed.
Metadata and dependencies stay in setup.cfg."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
APP_FOLDERS = ("templates", "static", "migrations", "notices")  # = marketplace.locations.FOLDERS
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


setup(cmdclass={"build_py": BuildWithAppFolders})
