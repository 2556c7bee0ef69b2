"""`flask privacy ...`: the archive purge and the blind-index rehash, by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.privacy.archive import purge_archive
from marketplace.privacy.rekey import rehash_phone_digests

group = click.Group("privacy", help="Privacy: the statutory archive's purge, index keys.")


@group.command("purge")
@with_appcontext
def purge() -> None:
    """Delete archived records past their retain_until and expired exports (beat: daily)."""
    purged = purge_archive()
    if not purged:
        click.echo("Nothing is past its retention date.")
    for record_type, count in sorted(purged.items()):
        click.echo(f"{record_type}: {count} purged")


@group.command("rehash-phones")
@with_appcontext
def rehash_phones() -> None:
    """Recompute phone digests with FIELD_INDEX_KEY (after an upgrade or a key change)."""
    click.echo(f"{rehash_phone_digests()} digests recomputed.")
