"""The WSGI entry point: `gunicorn wsgi:app`, and `flask` commands (FLASK_APP=wsgi)."""

from marketplace.app import create_app

app = create_app()
