"""`tradesetu`, the installed package's command: Flask's CLI bound to this app, so an operator
runs `tradesetu db upgrade`, `tradesetu catalog load-categories`, `tradesetu search reindex` or
`tradesetu accounts create-user ... --role admin` from any directory, with no FLASK_APP."""

import sys

from flask.cli import FlaskGroup

from marketplace.app import create_app
from marketplace.config import ConfigError

cli = FlaskGroup(
    name="tradesetu",
    create_app=create_app,
    help="TradeSetu's commands, against the app this package builds (configured by the "
    "environment, as the server is).",
)


def main() -> None:
    """A configuration the app refuses is the operator's to mend: said in one line naming each
    variable, with exit status 2, rather than as a traceback."""
    try:
        cli()
    except ConfigError as refused:
        print(f"tradesetu: {refused}", file=sys.stderr)
        sys.exit(2)
