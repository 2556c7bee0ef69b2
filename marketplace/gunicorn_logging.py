"""Gunicorn's own log lines (its master's and its workers': booting, timeouts, signals) in the
portal's format and through its redaction: set `logger_class =
"marketplace.gunicorn_logging.PortalLogger"` in the gunicorn config file.

Gunicorn's access log stays as configured (off by default): the app writes one access line a
request, with the route, the user and the request id, which gunicorn cannot know."""

from __future__ import annotations

import os
from typing import Any

from gunicorn import glogging

from marketplace import locations, logs
from marketplace.config import load_config


class PortalLogger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # The master logs before any app exists, so it reads LOG_LEVEL and LOG_FORMAT itself,
        # as the app factory will in each worker.
        config = load_config(os.environ, locations.instance_path(os.environ))
        logs.configure(config["LOG_LEVEL"], config["LOG_FORMAT"])
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True  # to the root logger's one handler
