"""The installed package's WSGI entry point: `gunicorn -c python:marketplace.gunicorn_conf
marketplace.wsgi:app`, and `flask --app marketplace.wsgi:app ...` from any directory."""

from marketplace.app import create_app

app = create_app()
