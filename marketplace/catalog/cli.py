"""`flask catalog ...` and `flask search ...`: the same services the pages use."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from marketplace.catalog import categories, indexing
from marketplace.db import commit
from marketplace.search_backend import backend
from search import SearchUnavailable

catalog_group = click.Group("catalog", help="Categories and products.")
search_group = click.Group("search", help="The search index: rebuild, inspect, catch up.")


@catalog_group.command("load-categories")
@with_appcontext
def load_categories() -> None:
    """Create or update the category tree (idempotent)."""
    count = categories.load_categories()
    commit()
    click.echo(f"{count} categories in the tree.")


@search_group.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the whole index from the database."""
    total = indexing.searchable_count()
    started = time.perf_counter()
    try:
        with click.progressbar(
            length=total, label="Indexing products", show_pos=True, show_percent=True
        ) as bar:
            count = indexing.reindex(progress=bar.update)
    except SearchUnavailable as error:
        raise click.ClickException(str(error)) from None
    seconds = time.perf_counter() - started
    click.echo(
        f"Indexed {count} products into the {backend().name} index in {seconds:.1f} s "
        f"({count / max(seconds, 1e-9):,.0f} docs/s)."
    )


@search_group.command("status")
@with_appcontext
def status() -> None:
    """Index size, products that should be in it, and the outbox lag."""
    waiting, oldest = indexing.outbox_lag()
    search = backend()
    try:
        indexed = str(search.count())
    except SearchUnavailable as error:
        indexed = f"unavailable ({error})"
    click.echo(f"backend:            {search.name}")
    click.echo(f"documents indexed:  {indexed}")
    click.echo(f"searchable products: {indexing.searchable_count()}")
    click.echo(
        f"outbox waiting:     {waiting}"
        + (f" (oldest {oldest:%Y-%m-%d %H:%M:%S} UTC)" if oldest else "")
    )


@search_group.command("drain")
@with_appcontext
def drain() -> None:
    """Apply every queued change to the index now."""
    try:
        handled = indexing.drain_outbox()
    except SearchUnavailable as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Brought {handled} products up to date.")
