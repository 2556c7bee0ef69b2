"""The checkout's entry point (`FLASK_APP=wsgi`, `gunicorn wsgi:app`), kept for old habits: the
app is marketplace.wsgi's, the one the installed package serves."""

from marketplace.wsgi import app

__all__ = ["app"]
