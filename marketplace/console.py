"""`tradesetu`, the installed package's command: Flask's CLI bound to this app, so an operator
runs `tradesetu db upgrade`, `tradesetu catalog load-categories`, `tradesetu search reindex` or
`tradesetu accounts create-user ... --role admin` from any directory, with no FLASK_APP."""

from flask.cli import FlaskGroup

from marketplace.app import create_app

main = FlaskGroup(
    name="tradesetu",
    create_app=create_app,
    help="TradeSetu's commands, against the app this package builds (configured by the "
    "environment, as the server is).",
)
