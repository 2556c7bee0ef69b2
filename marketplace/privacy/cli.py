"""`flask privacy ...`: the archive purge, the sweep of unused accounts, the blind-index rehash
and the retention table, by hand or from cron (the embedded defaults run no beat)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.legal_rules import markdown
from marketplace.privacy.archive import purge_archive
from marketplace.privacy.inactive import sweep_inactive
from marketplace.privacy.rekey import rehash_phone_digests
from marketplace.privacy.request_metadata import purge_request_metadata

group = click.Group(
    "privacy", help="Privacy: the purges, the sweep of unused accounts, index keys, the rules."
)


@group.command("purge")
@with_appcontext
def purge() -> None:
    """Delete archived records past their retain_until and expired exports, and empty the
    addresses and browsers past their year (beat: daily)."""
    purged = {**purge_archive(), **purge_request_metadata()}
    if not purged:
        click.echo("Nothing is past its retention date.")
    for record_type, count in sorted(purged.items()):
        click.echo(f"{record_type}: {count} purged")


@group.command("sweep-inactive")
@with_appcontext
def sweep_inactive_accounts() -> None:
    """Warn accounts unused for PRIVACY_INACTIVE_DAYS; erase those warned 48 hours ago and
    still unused (beat: daily; on the embedded defaults, cron: see the README)."""
    done = sweep_inactive()
    click.echo(f"{done['warned']} accounts warned, {done['erased']} erased.")


@group.command("rehash-phones")
@with_appcontext
def rehash_phones() -> None:
    """Recompute phone digests with FIELD_INDEX_KEY (after an upgrade or a key change)."""
    click.echo(f"{rehash_phone_digests()} digests recomputed.")


@group.command("rules")
def rules() -> None:
    """Print the legal rules (what is kept, where, how long, why; the clocks) as Markdown: the
    README's privacy section is this text."""
    click.echo(markdown(), nl=False)
