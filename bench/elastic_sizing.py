#!/usr/bin/env python3
"""Elasticsearch sizing: how big a catalogue's index is and how fast it answers, per shard count.

    ELASTICSEARCH_URL=http://127.0.0.1:9200,http://127.0.0.1:9201 \\
        .venv/bin/python bench/elastic_sizing.py --products 1000000 --shards 1 [--replicas 1]

It fills an index with demo products (the demo seeder's realistic names, descriptions and
specifications, made straight into search documents: no database), the way `flask search
reindex` does (a rebuild), waits for green, then times a fixed mix of searches one at a time.
The last line printed is one JSON object: {"products", "shards", "replicas", "index_seconds",
"primary_bytes", "total_bytes", "bytes_per_product", "per_shard_bytes", "search_p50_ms",
"search_p95_ms"}. The index is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import CITIES, STATES
from marketplace.catalog.demo_products import LINES
from marketplace.catalog.taxonomy import INDUSTRIES, slugify
from marketplace.db import utcnow
from marketplace.demo import WORDS
from marketplace.demo_catalogue import Listings, supplier_industries
from search.documents import product_document
from search.elastic import ElasticsearchSearch
from search.protocol import SearchRequest


def documents(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """The demo seeder's products, as the search documents a reindex would make of them."""
    rng = random.Random(seed)
    leaves = {
        slugify(line.leaf): (line.leaf, industry)
        for industry in INDUSTRIES
        for line in LINES[industry.name]
    }
    # The demo's listings need no database: category "ids" here are the slugs themselves.
    listings = Listings(rng, utcnow(), {slug: slug for slug in leaves}, WORDS)
    suppliers = [(n, supplier_industries(rng, n)) for n in range(1, count // 40 + 2)]
    for n, product in enumerate(listings.rows(suppliers, count), start=1):
        leaf, industry = leaves[product["category_id"]]
        specs = " ".join(f"{name} {value}" for name, value in product["specifications"])
        yield product_document(
            {
                **product,
                "id": n,
                "specifications": specs,
                "category_name": leaf,
                "category_slug": slugify(leaf),
                "category_path": f"/{slugify(industry.name)}/{slugify(leaf)}/",
                "industry_name": industry.name,
                "company_name": f"Supplier {product['supplier_id']}",
                "state": rng.choice(STATES),
                "city": rng.choice(CITIES),
                "gst_verification": rng.choice(("verified", "pending")),
                "price": float(product["price"]),
                "created": int(product["created_at"].timestamp()),
                "image": "",
            }
        )


def searches(count: int) -> list[SearchRequest]:
    rng = random.Random(7)
    leaves = [line.leaf for industry in INDUSTRIES for line in LINES[industry.name]]
    mix = []
    for n in range(count):
        words = rng.choice(leaves).lower().split()
        if n % 3 == 0:
            mix.append(SearchRequest(text=" ".join(words)))
        elif n % 3 == 1:
            mix.append(SearchRequest(text=words[-1], state=rng.choice(STATES), sort="price_asc"))
        else:
            mix.append(SearchRequest(text=words[0], page=2))
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--searches", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("ELASTICSEARCH_URL") or sys.exit("ELASTICSEARCH_URL is needed")
    engine = ElasticsearchSearch(
        url, f"sizing-{uuid.uuid4().hex[:8]}", shards=args.shards, replicas=args.replicas
    )
    try:
        began = time.monotonic()
        engine.rebuild(documents(args.products))
        engine.client.cluster.health(index=engine.alias, wait_for_status="green", timeout="10m")
        index_seconds = time.monotonic() - began
        # As the index settles once writes stop: its size, not that of segments yet to merge.
        engine.client.options(request_timeout=1800).indices.forcemerge(
            index=engine.alias, max_num_segments=1
        )
        stats = engine.client.indices.stats(index=engine.alias, metric="store")["_all"]
        primary = stats["primaries"]["store"]["size_in_bytes"]
        timings = []
        for request in searches(args.searches):
            start = time.perf_counter()
            engine.search(request)
            timings.append((time.perf_counter() - start) * 1000)
        cuts = statistics.quantiles(timings, n=20)
        print(
            json.dumps(
                {
                    "products": args.products,
                    "shards": args.shards,
                    "replicas": args.replicas,
                    "index_seconds": round(index_seconds, 1),
                    "primary_bytes": primary,
                    "total_bytes": stats["total"]["store"]["size_in_bytes"],
                    "bytes_per_product": round(primary / args.products),
                    "per_shard_bytes": round(primary / args.shards),
                    "search_p50_ms": round(statistics.median(timings), 1),
                    "search_p95_ms": round(cuts[18], 1),
                }
            )
        )
    finally:
        engine.drop()


if __name__ == "__main__":
    main()
