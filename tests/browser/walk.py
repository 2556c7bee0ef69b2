"""The walk: every page a role can reach, at 360 px (no sideways scroll, a screenshot each) and
through axe-core (WCAG 2.1 AA). Pages are found, not listed: the crawl starts at the role's
start pages and at every GET route that takes no argument, follows each same-origin link, and
opens one URL per route and set of query parameters, so a new page is walked as soon as it is
linked from anywhere a role can go."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.browser.conftest import ARTIFACTS, loaded

AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# Routes the walk does not open, and why. Everything else a role can reach is walked.
NOT_PAGES = {
    "static": "files, not pages",
    "catalog.image": "a product photo, not a page",
    "catalog.business_photo": "a business photo, not a page",
    "catalog.bulk_download": "a CSV download",
    "leads.export_leads": "a CSV download",
    "credits.invoice_pdf": "a PDF download",
    "privacy.download": "a ZIP download (the privacy test opens it)",
    "grievances.attachment": "an uploaded file's download",
    "main.healthz": "a JSON probe for the load balancer",
    "main.livez": "a JSON probe for the load balancer",
    "metrics.scrape": "Prometheus text for the scraper",
    "indiamart.crm_listing": "a JSON API for CRM integrations",
    "accounts.sign_out": "signing out would end the walk (and it is a POST form, not a page)",
}
NOT_PAGE_PREFIXES = ("/api/", "/static/")
# A route is opened bare and with at most one set of query parameters (a filter, a page
# number): search's filters alone combine into hundreds of URLs showing the same template.
VARIANTS_PER_ROUTE = 2
# A safety net against a crawl that never ends.
MAX_PAGES_PER_ROLE = 120


@dataclass
class Walked:
    """What one role's walk saw: the pages, the ones wider than the phone, axe's findings."""

    role: str
    pages: list[str] = field(default_factory=list)
    endpoints: set[str] = field(default_factory=set)
    too_wide: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    not_html: list[str] = field(default_factory=list)
    # Pages served in another language than the walk asked for (the Hindi walk's check).
    wrong_language: list[str] = field(default_factory=list)


def start_paths(app: Flask) -> list[str]:
    """Every GET route without an argument: a page nobody links to is walked all the same."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint not in NOT_PAGES
        and not rule.rule.startswith(NOT_PAGE_PREFIXES)
    )


def page_routes(app: Flask) -> set[str]:
    """The endpoints of every GET route the walk would open (to say which it never reached)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in NOT_PAGES
        and not rule.rule.startswith(NOT_PAGE_PREFIXES)
    }


def route_key(adapter: MapAdapter, path: str, query: str) -> str | None:
    """One visit per route and set of query parameters (not per id or per search word)."""
    if path.startswith(NOT_PAGE_PREFIXES):
        return None
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except HTTPException:
        return None  # not a route of the app (a redirect elsewhere, a 405)
    if endpoint in NOT_PAGES:
        return None
    keys = sorted({key for key, _ in parse_qsl(query, keep_blank_values=True)})
    return f"{endpoint}?{'&'.join(keys)}" if keys else endpoint


def endpoint_of(key: str) -> str:
    return key.split("?")[0]


# Elements whose right edge passes the viewport, outermost first: what makes a page scroll.
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !wide.some(w => w.contains(el))) {
      let scroller = el.parentElement, clipped = false;
      for (; scroller; scroller = scroller.parentElement) {
        const style = getComputedStyle(scroller);
        if (style.overflowX !== 'visible') { clipped = true; break; }
      }
      if (clipped) continue;
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.classList.length ? '.' + [...el.classList].join('.') : '');
      wide.push(el);
      el.dataset.wideName = name + ` (${Math.round(box.right)}px)`;
    }
  }
  return wide.slice(0, 4).map(el => el.dataset.wideName);
}"""

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}"""


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", key).strip("-") or "page"


def check_page(page, walked: Walked, key: str, desktop_too: bool) -> None:
    """At 360 px: the width, a screenshot and axe-core; at 1280 px, where the menu and the search
    filters show, axe-core again (once per route, whichever role reaches it first)."""
    url = page.url
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        culprits = ", ".join(page.evaluate(WIDE_ELEMENTS)) or "no single element"
        walked.too_wide.append(f"{walked.role} {url}: {scroll}px wide at {inner}px ({culprits})")
    folder = ARTIFACTS / "walk-360" / walked.role
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{_file_name(key)}.png"), full_page=True)
    for viewport in (PHONE, DESKTOP) if desktop_too else (PHONE,):
        page.set_viewport_size(viewport)
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        for found in page.evaluate(RUN_AXE, AXE_TAGS):
            walked.violations.append(
                f"{found['id']} ({found['impact']}) on {walked.role} {url} "
                f"at {viewport['width']}px, {found['count']} element(s): "
                + "; ".join(found["targets"])
            )
    page.set_viewport_size(PHONE)


def _sent_on(response) -> str | None:  # type: ignore[no-untyped-def]
    """Where the requested route itself redirected (its answer, before any later hop)."""
    request = response.request
    while request.redirected_from is not None:
        request = request.redirected_from
    first = request.response() if request is not response.request else None
    return first.headers.get("location") if first is not None else None


def walk(
    page,
    app: Flask,
    origin: str,
    role: str,
    first: list[str],
    desktop_checked: set[str],
    crawl: bool = True,
    variants_per_route: int = VARIANTS_PER_ROUTE,
    language: str = "en-IN",
) -> Walked:
    """Open every page `role` can reach from `first` and the argument-free routes (only `first`
    when not `crawl`). Routes in `desktop_checked` have been through axe at 1280 px already;
    this walk adds its own. A route that does its work and sends the person on to a page (a
    confirmation link) counts as reached; one that sends them to sign in does not. Every page
    must be served in `language` (its <html lang>)."""
    walked = Walked(role)
    variants: dict[str, int] = {}
    adapter = app.url_map.bind("localhost")
    sign_in_path = adapter.build(app.login_manager.login_view)
    queue = deque(first + (start_paths(app) if crawl else []))
    seen: set[str] = set()
    while queue and len(walked.pages) < MAX_PAGES_PER_ROLE:
        target = queue.popleft()
        parts = urlsplit(target)
        key = route_key(adapter, parts.path, parts.query)
        if key is None or key in seen or variants.get(endpoint_of(key), 0) >= variants_per_route:
            continue
        seen.add(key)
        variants[endpoint_of(key)] = variants.get(endpoint_of(key), 0) + 1
        try:
            response = page.goto(target)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            walked.not_html.append(target)  # a link to a file (a CSV report): not a page
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            walked.not_html.append(target)
            continue
        landed = urlsplit(page.url)
        landed_key = route_key(adapter, landed.path, landed.query)
        sent_on = _sent_on(response)
        if sent_on is not None and urlsplit(sent_on).path != sign_in_path:
            walked.endpoints.add(endpoint_of(key))
        if landed_key != key and landed_key in seen:
            continue  # redirected to a page already walked (a sign-in page, a dashboard)
        key = landed_key or key
        seen.add(key)
        loaded(page)
        walked.pages.append(page.url)
        walked.endpoints.add(endpoint_of(key))
        served_in = page.evaluate("document.documentElement.lang")
        if served_in != language:
            walked.wrong_language.append(f"{walked.role} {page.url}: lang={served_in!r}")
        check_page(page, walked, key, endpoint_of(key) not in desktop_checked)
        desktop_checked.add(endpoint_of(key))
        if not crawl:
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(href)
            if f"{link.scheme}://{link.netloc}" == origin:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return walked
