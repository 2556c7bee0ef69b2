"""Published notices: the privacy notice and terms from versioned files in notices/, rendered
from a small, safe subset of Markdown (every character of the file is escaped; only headings,
paragraphs, lists and links to this site or https pages become markup), and the list of
sub-processors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from marketplace import locations

NOTICES = locations.NOTICES

# The versions in force: a new version is a new file, and the old one stays for the record.
PRIVACY_NOTICE = "privacy-2026-11.md"
TERMS = "terms-2026-11.md"

_HEADINGS = {level: Markup(f"<h{level}>{{}}</h{level}>") for level in (2, 3, 4)}  # noqa: S704
_LINK = re.compile(r"\[([^\]]+)\]\(((?:/|https://)[^)\s]*)\)")


@dataclass(frozen=True)
class SubProcessor:
    name: str
    purpose: str
    data: str
    location: str
    when: str  # when the portal uses it


SUB_PROCESSORS = (
    SubProcessor(
        "Razorpay Software Private Limited",
        "Payment of credit packs",
        "Name, email, mobile, payment details (held by Razorpay)",
        "India",
        "PAYMENT_GATEWAY=razorpay",
    ),
    SubProcessor(
        "The configured email provider (SMTP)",
        "Sending account, enquiry and complaint emails",
        "Name, email address, message content",
        "India",
        "MAIL_BACKEND=smtp",
    ),
    SubProcessor(
        "The configured SMS gateway",
        "One-time codes and alerts by SMS",
        "Mobile number, message text",
        "India",
        "SMS_BACKEND=http",
    ),
    SubProcessor(
        "Elastic (self-managed cluster)",
        "Searching the product catalogue",
        "Product listings and supplier business names (no buyer data)",
        "India",
        "ELASTICSEARCH_URL set",
    ),
    SubProcessor(
        "The configured error-reporting service (Sentry)",
        "Reports of the portal's own errors, so that they can be fixed",
        "Technical details of the failed request or task; passwords, tokens, cookies, form "
        "contents, email addresses and mobile numbers are removed before sending",
        "Where the operator's Sentry project is hosted",
        "SENTRY_DSN set",
    ),
)


def _inline(text: str) -> Markup:
    out = []
    position = 0
    for match in _LINK.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(Markup('<a href="{}">{}</a>').format(match.group(2), match.group(1)))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def render(text: str) -> Markup:
    """Headings (#, ##, ###), paragraphs, '- ' lists and links; everything else is text."""
    html: list[Markup] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(Markup("<p>{}</p>").format(_inline(" ".join(paragraph))))
            paragraph.clear()
        if items:
            html.append(
                Markup("<ul>{}</ul>").format(
                    Markup("").join(Markup("<li>{}</li>").format(_inline(i)) for i in items)
                )
            )
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1)) + 1  # the page's own title is the h1
            html.append(_HEADINGS[level].format(_inline(heading.group(2))))
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return Markup("\n").join(html)


def notice(filename: str) -> tuple[str, Markup]:
    """(version, rendered body) of a notice file."""
    version = filename.rsplit(".", 1)[0].split("-", 1)[1]
    return version, render((NOTICES / filename).read_text(encoding="utf-8"))
