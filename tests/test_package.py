"""The package: the wheel carries the app's folders, marketplace.locations finds them (beside the
package in a checkout, inside it once installed), the entry points run from any directory, and
gunicorn's config file reads the environment. scripts/package-check does the whole on a fresh
venv and PostgreSQL; these are the quick parts."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from gunicorn.config import Config

from marketplace import gunicorn_conf, locations
from marketplace.grievances import notices

CHECKOUT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Compiled catalogues are left out too: the build must compile its own.
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
# What a build reads: the build files and the package sources, as an sdist would hold them.
BUILD_FILES = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md")
SOURCES = ("marketplace", "search", "workers", *locations.FOLDERS)


def _files_under(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """`pip wheel .` on a copy of the sources (so that nothing an earlier build left in build/
    can make it pass)."""
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_FILES:
        shutil.copy2(CHECKOUT / name, source / name)
    for name in SOURCES:
        shutil.copytree(CHECKOUT / name, source / name, ignore=LEFT_OUT)
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = ["wheel", "--no-deps", "-w", str(dist), str(source)]
    built = subprocess.run([*pip, *build], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = dist.glob("marketplace-*.whl")
    return zipfile.ZipFile(path)


@pytest.mark.xdist_group("package")
def test_the_wheel_carries_every_file_of_the_app_folders(wheel):
    names = set(wheel.namelist())
    for folder in locations.FOLDERS:
        expected = {
            f"marketplace/{folder}/{name}"
            for name in _files_under(CHECKOUT / folder)
            if not name.endswith(".mo")
        }
        assert expected, folder
        assert expected <= names, f"missing from the wheel: {sorted(expected - names)[:5]}"
    # The files the app reads by name: the invoices' fonts, the notices in force, the migrations.
    assert "marketplace/static/vendor/dejavu/DejaVuSans.ttf" in names
    assert "marketplace/static/vendor/dejavu/DejaVuSans-Bold.ttf" in names
    assert f"marketplace/notices/{notices.PRIVACY_NOTICE}" in names
    assert f"marketplace/notices/{notices.TERMS}" in names
    assert "marketplace/migrations/env.py" in names
    # Hindi: the catalogue the build compiled, and the font that draws it (pages and the PDF).
    assert "marketplace/translations/hi/LC_MESSAGES/messages.mo" in names
    assert "marketplace/static/vendor/noto-devanagari/NotoSansDevanagari-Regular.ttf" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


@pytest.mark.xdist_group("package")
def test_the_wheel_has_the_entry_points_and_the_server_config(wheel):
    names = set(wheel.namelist())
    for module in ("wsgi", "gunicorn_conf", "console", "locations"):
        assert f"marketplace/{module}.py" in names
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    assert "tradesetu = marketplace.console:main" in wheel.read(entry_points).decode()


# --- where the folders are ----------------------------------------------------------------------


def test_in_a_checkout_the_folders_are_beside_the_package():
    assert locations.IN_CHECKOUT
    assert locations.ROOT == CHECKOUT
    assert locations.find_root(locations.PACKAGE) == CHECKOUT
    assert (locations.FONTS / "DejaVuSans.ttf").is_file()
    assert (locations.NOTICES / notices.PRIVACY_NOTICE).is_file()
    assert (locations.MIGRATIONS / "env.py").is_file()


def _folders(root: Path) -> None:
    for name in locations.FOLDERS:
        (root / name).mkdir(parents=True)


def test_an_installed_package_reads_its_own_folders(tmp_path):
    package = tmp_path / "site-packages" / "marketplace"
    _folders(package)
    _folders(tmp_path / "site-packages")  # whatever else lies beside it is not ours
    assert locations.find_root(package) == package


def test_a_checkout_is_the_package_s_parent(tmp_path):
    package = tmp_path / "marketplace"
    package.mkdir()
    _folders(tmp_path)
    assert locations.find_root(package) == tmp_path


def test_a_package_built_without_its_folders_says_so(tmp_path):
    package = tmp_path / "marketplace"
    (package / "templates").mkdir(parents=True)  # one folder of four is a broken build
    with pytest.raises(FileNotFoundError, match="templates, static, migrations, notices"):
        locations.find_root(package)


def test_the_instance_folder(monkeypatch, tmp_path):
    assert locations.instance_path({"INSTANCE_PATH": str(tmp_path)}) == str(tmp_path)
    assert locations.instance_path({}) == str(CHECKOUT / "instance")
    monkeypatch.setattr(locations, "IN_CHECKOUT", False)
    installed = locations.instance_path({})  # Flask's default: <prefix>/var, not site-packages
    assert installed == str(Path(sys.prefix) / "var" / "marketplace-instance")


def test_the_app_reads_the_located_folders(app):
    assert Path(app.template_folder) == locations.TEMPLATES
    assert Path(app.static_folder) == locations.STATIC
    assert Path(app.extensions["migrate"].directory) == locations.MIGRATIONS


# --- the entry points, from another directory ---------------------------------------------------


def _run_elsewhere(tmp_path: Path, *command: str) -> str:
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.xdist_group("package")
def test_the_console_command_and_flask_run_the_app_s_cli_from_any_directory(tmp_path):
    console = [sys.executable, "-c", "from marketplace.console import main; main()"]
    _run_elsewhere(tmp_path, *console, "db", "upgrade")
    flask = [str(BIN / "flask"), "--app", "marketplace.wsgi:app"]
    assert "(head)" in _run_elsewhere(tmp_path, *flask, "db", "current")
    assert (tmp_path / "instance" / "secret_key").is_file()


def test_the_console_command_says_a_refused_configuration_in_one_line(tmp_path):
    console = [sys.executable, "-c", "from marketplace.console import main; main()"]
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "APP_ENV": "production"}
    done = subprocess.run(
        [*console, "db", "current"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("tradesetu: Bad configuration: ")
    assert "METRICS_TOKEN" in done.stderr and "SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr


# --- gunicorn's config file ---------------------------------------------------------------------


def _settings(monkeypatch: pytest.MonkeyPatch, **environ: str) -> object:
    for name in (
        "BIND",
        "HOST",
        "PORT",
        "WEB_CONCURRENCY",
        "WEB_THREADS",
        "WEB_TIMEOUT",
        "GRACEFUL_TIMEOUT",
        "MAX_REQUESTS",
        "PROMETHEUS_MULTIPROC_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(gunicorn_conf)


def test_gunicorn_reads_every_setting_of_the_config_file(monkeypatch):
    """Gunicorn silently ignores a name it does not know: each must be a real, valid setting."""
    conf = _settings(monkeypatch)
    config = Config()
    settings = [
        name
        for name, value in vars(conf).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    ]
    assert set(settings) <= set(config.settings), set(settings) - set(config.settings)
    for name in settings:
        config.set(name, getattr(conf, name))  # gunicorn's own validation
    assert config.forwarded_allow_ips == []  # the app's ProxyFix alone reads forwarded headers
    assert config.secure_scheme_headers == {}


def test_gunicorn_binds_and_scales_from_the_environment(monkeypatch):
    scale = {"WEB_CONCURRENCY": "3", "WEB_THREADS": "4"}
    conf = _settings(monkeypatch, HOST="0.0.0.0", PORT="9000", **scale)  # noqa: S104
    assert conf.bind == ["0.0.0.0:9000"]
    assert (conf.workers, conf.threads) == (3, 4)
    conf = _settings(monkeypatch, BIND="unix:/run/tradesetu.sock, 127.0.0.1:8001", PORT="9000")
    assert conf.bind == ["unix:/run/tradesetu.sock", "127.0.0.1:8001"]
    conf = _settings(monkeypatch)
    assert conf.bind == ["127.0.0.1:8000"]
    assert 2 <= conf.workers <= 8  # one per CPU, within bounds, unless WEB_CONCURRENCY says
    assert conf.max_requests_jitter > 0


def test_workers_are_not_recycled_by_default_when_metrics_span_processes(monkeypatch, tmp_path):
    assert _settings(monkeypatch).max_requests == 1000
    # every recycled worker would leave metric files behind, read by every scrape
    assert _settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path)).max_requests == 0
    asked = _settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), MAX_REQUESTS="5000")
    assert asked.max_requests == 5000


@pytest.mark.parametrize(
    ("name", "value"), [("WEB_CONCURRENCY", "many"), ("PORT", "70000"), ("WEB_THREADS", "0")]
)
def test_a_bad_figure_stops_gunicorn_naming_the_variable(monkeypatch, name, value):
    with pytest.raises(ValueError, match=f"{name} must be a whole number"):
        _settings(monkeypatch, **{name: value})
    _settings(monkeypatch)  # leave the module as the environment has it
