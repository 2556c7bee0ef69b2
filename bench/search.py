#!/usr/bin/env python3
"""Search benchmark: seed a catalogue, time a full reindex, then load the served app.

    .venv/bin/python bench/search.py --products 100000 [--seconds 20] [--connections 8]
        [--backend embedded|elasticsearch|both]

It runs on the embedded defaults (SQLite, inline tasks) in a throwaway instance folder (or
--instance DIR, kept and reused across runs), serves the app with gunicorn (2 workers) and
drives it with wrk over a fixed mix of realistic queries: words, typos, trade synonyms, filters,
facets, sorts and later pages. The search engine is the embedded Tantivy index, Elasticsearch
at ELASTICSEARCH_URL (`make elasticsearch` starts a node), or both in turn on the same
catalogue and queries, with how alike their first pages are. The last line printed is one JSON
object: {"products", "backends": {"embedded": {...}, "elasticsearch": {...}}, "ceiling"}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from marketplace.catalog.taxonomy import INDUSTRIES, slugify  # noqa: E402

STATES = (
    "Maharashtra",
    "Gujarat",
    "Tamil Nadu",
    "Delhi",
    "Uttar Pradesh",
    "Karnataka",
    "Haryana",
    "Punjab",
    "Rajasthan",
    "West Bengal",
    "Telangana",
)
CITIES = ("Mumbai", "Pune", "Ahmedabad", "Surat", "Chennai", "Noida", "Ludhiana", "Jaipur")
SORTS = ("relevance", "relevance", "price_asc", "price_desc", "newest")
# The trade words of the mix, fixed here so that the mix stays the same as search/vocabulary.json
# grows (figures before and after a change compare the same queries).
MIX_SYNONYMS = (
    "ss", "ms", "gi", "tmt", "hdpe", "ldpe", "pvc", "upvc", "pp", "pet", "bopp", "crca", "cr",
    "hr", "erw", "aac", "rmc", "opc", "ppc", "dg", "pcb", "cctv", "api", "ppe", "frp", "led",
    "mcb", "vfd", "plc", "tyre", "gur", "dal", "atta", "loha", "taar", "naal", "bori", "kil",
    "tel", "khad", "beej",
)  # fmt: skip

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.3f %.3f %.3f %d %d\\n",
    summary.requests, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped or two swapped, in a word long enough."""
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def query_mix(count: int, seed: int = 7) -> list[dict[str, str]]:
    """A fixed, realistic mix of searches (the same on every run)."""
    rng = random.Random(seed)
    leaves = [(industry, leaf) for industry in INDUSTRIES for leaf in industry.leaves]
    synonyms = list(MIX_SYNONYMS)
    mix: list[dict[str, str]] = []
    while len(mix) < count:
        industry, leaf = rng.choice(leaves)
        words = leaf.name.lower().split()
        kind = len(mix) % 10
        params: dict[str, str] = {}
        if kind in (0, 1, 2):  # plain words, sometimes with a qualifier
            text = leaf.name.lower()
            if rng.random() < 0.4 and industry.qualifiers:
                text = f"{rng.choice(industry.qualifiers).lower()} {text}"
            params["q"] = text
        elif kind == 3:  # a typo
            params["q"] = " ".join(typo(word, rng) for word in words)
        elif kind == 4:  # a trade abbreviation
            params["q"] = f"{rng.choice(synonyms)} {words[-1]}"
        elif kind == 5:  # words and a state
            params.update(q=words[-1], state=rng.choice(STATES))
        elif kind == 6:  # a category, sorted by price, GST-verified only
            params.update(category=slugify(leaf.name), sort="price_asc", verified="true")
        elif kind == 7:  # an industry and a price band
            low = rng.choice((0, 500, 2000, 10000))
            params.update(
                category=slugify(industry.name), price_min=str(low), price_max=str(low * 5 + 1000)
            )
        elif kind == 8:  # words and a city, a later page
            params.update(q=words[0], city=rng.choice(CITIES), page="2")
        else:  # one word, newest first
            params.update(q=words[-1], sort=rng.choice(SORTS))
        mix.append(params)
    return mix


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list[str], env: dict[str, str], label: str) -> str:
    print(f"$ {' '.join(command)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(f"{label} failed")
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result.stdout


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not come up at {url}")


def load(base: str, paths: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    paths_file = workdir / f"paths-{len(paths)}-{abs(hash(tuple(paths)))}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "mix.lua"
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "BENCH_PATHS": str(paths_file)}
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50, p95, p99, bad_status, socket_errors = line.split()[1:]
    if int(bad_status) or int(socket_errors):
        print(output)
        raise SystemExit(f"{bad_status} non-2xx answers and {socket_errors} socket errors")
    return {
        "rps": round(int(requests) / (int(duration_us) / 1e6), 1),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "p99_ms": round(float(p99), 2),
    }


def worker_memory_mb(master_pid: int) -> tuple[float, float]:
    """The largest worker's resident size, and the part of it that is its own: the rest is the
    memory-mapped index, shared by the workers and reclaimable by the kernel."""
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        rss, anon = (
            int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024
            for field in ("VmRSS", "RssAnon")
        )
        sizes.append((round(rss, 1), round(anon, 1)))
    return max(sizes) if sizes else (0.0, 0.0)


Page = tuple[int, list[int]]  # a query's total and its first page of ids


def serve_and_load(
    env: dict[str, str], args: argparse.Namespace, mix: list[dict[str, str]], workdir: Path
) -> tuple[dict, dict[str, Page]]:
    """Reindex, serve with gunicorn, load the API and the page. Returns the figures and each
    query's first page of ids (to compare the engines)."""
    flask = str(BIN / "flask")
    output = run([flask, "search", "reindex"], env, "reindex")
    reindex_rate = float(re.search(r"\(([\d,]+) docs/s\)", output).group(1).replace(",", ""))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/livez")
        api_paths = [f"/api/v1/search?{urlencode(params)}" for params in mix]
        page_paths = [f"/search?{urlencode(params)}" for params in mix]
        first_pages = {}
        for path in api_paths:  # warm both workers' caches and the index
            with urllib.request.urlopen(base + path, timeout=60) as response:
                answer = json.load(response)
            first_pages[path] = (answer["total"], [item["id"] for item in answer["items"]])
        for path in page_paths:
            urllib.request.urlopen(base + path, timeout=60).read()
        print(
            f"load: {args.seconds} s per endpoint, {args.connections} connections, "
            f"{len(mix)} distinct queries",
            flush=True,
        )
        api = load(base, api_paths, args.seconds, args.connections, workdir)
        print(f"  search API:  {api}", flush=True)
        page = load(base, page_paths, args.seconds, args.connections, workdir)
        print(f"  search page: {page}", flush=True)
        ceiling = load(base, ["/livez"], args.seconds, args.connections, workdir)
        print(f"  ceiling:     {ceiling}", flush=True)
        rss, private = worker_memory_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    figures = {
        "reindex_docs_per_s": reindex_rate,
        "search_api": api,
        "search_page": page,
        "ceiling_rps": ceiling["rps"],
        "worker_rss_mb": rss,
        "worker_private_mb": private,
    }
    return figures, first_pages


def agreement(first: dict[str, Page], second: dict[str, Page]) -> dict:
    """How alike two engines' answers are over the query mix: the same products found (the
    total), the same first result, and how much of the first ten they share."""
    same_total = sum(1 for path in first if first[path][0] == second[path][0])
    same_top = sum(1 for path in first if first[path][1][:1] == second[path][1][:1])
    overlaps = [
        len(set(first[path][1][:10]) & set(second[path][1][:10])) / max(1, len(first[path][1][:10]))
        for path in first
    ]
    return {
        "queries": len(first),
        "same_total": same_total,
        "same_first_result": same_top,
        "top10_overlap": round(sum(overlaps) / max(1, len(overlaps)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20, help="load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--instance", help="keep the seeded catalogue here and reuse it")
    parser.add_argument(
        "--backend",
        choices=("embedded", "elasticsearch", "both"),
        default="embedded",
        help="elasticsearch needs ELASTICSEARCH_URL (make elasticsearch starts a node)",
    )
    parser.add_argument(
        "--facet-cache",
        type=int,
        default=1024,
        help="facet cache entries per worker (0: every facet computed afresh)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: `make bench` installs it (Debian package wrk)")
    elasticsearch_url = os.environ.get("ELASTICSEARCH_URL")
    backends = ["embedded", "elasticsearch"] if args.backend == "both" else [args.backend]
    if "elasticsearch" in backends and not elasticsearch_url:
        raise SystemExit("--backend elasticsearch needs ELASTICSEARCH_URL (make elasticsearch)")

    keep = args.instance is not None
    instance = Path(args.instance or tempfile.mkdtemp(prefix="bench-instance-")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": "false",
        "FLASK_APP": "wsgi.py",
        "LOG_LEVEL": "WARNING",
        "SEARCH_FACET_CACHE": str(args.facet_cache),
    }
    for name in ("DATABASE_URL", "ELASTICSEARCH_URL", "CELERY_BROKER_URL", "REDIS_URL"):
        env.pop(name, None)  # the embedded defaults, whatever this shell has set
    flask = str(BIN / "flask")
    marker = instance / f"seeded-{args.products}"
    workdir = instance / "bench"
    workdir.mkdir(exist_ok=True)
    mix = query_mix(args.queries)
    figures: dict[str, dict] = {}
    first_pages: dict[str, dict[str, Page]] = {}
    try:
        if not marker.exists():
            run([flask, "db", "upgrade"], env, "migrate")
            run([flask, "demo", "seed", "--products", str(args.products)], env, "seed")
            marker.touch()
        for name in backends:
            print(f"== {name}", flush=True)
            backend_env = dict(env)
            if name == "elasticsearch":
                backend_env["ELASTICSEARCH_URL"] = elasticsearch_url or ""
                backend_env["ELASTICSEARCH_INDEX_PREFIX"] = f"bench{args.products}"
            figures[name], first_pages[name] = serve_and_load(backend_env, args, mix, workdir)
    finally:
        if not keep:
            shutil.rmtree(instance, ignore_errors=True)
    report = {"products": args.products, "facet_cache": args.facet_cache, "backends": figures}
    if len(first_pages) == 2:
        report["agreement"] = agreement(first_pages["embedded"], first_pages["elasticsearch"])
    report["ceiling"] = {"rps": max(f["ceiling_rps"] for f in figures.values())}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
