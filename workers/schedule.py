"""Celery beat's periodic jobs. Each job is idempotent and safe to run on any worker."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}
