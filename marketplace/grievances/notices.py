"""Published notices: the privacy notice and terms from versioned files in notices/, rendered
from a small, safe subset of Markdown (every character of the file is escaped; only headings,
paragraphs, lists and links to this site or https pages become markup), with the legal
numbers filled in from marketplace.legal_rules."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from marketplace import locations
from marketplace.i18n import DEFAULT_LANGUAGE, current_language, in_language
from marketplace.legal_rules import RULES, Kind, of_kind

NOTICES = locations.NOTICES

# The versions in force: a new version is a new file, and the old one stays for the record.
PRIVACY_NOTICE = "privacy-2026-11.md"
TERMS = "terms-2026-11.md"

_HEADINGS = {level: Markup(f"<h{level}>{{}}</h{level}>") for level in (2, 3, 4)}  # noqa: S704
_LINK = re.compile(r"\[([^\]]+)\]\(((?:/|https://)[^)\s]*)\)")
# A notice states no legal number by hand: it names a rule of marketplace.legal_rules, as
# {rule:tax_invoice} (the rule in a sentence), {period:grievance_resolve} ('15 days') or
# {rules:retention} (a list of every rule of that kind, with its law).
_RULE_REFERENCE = re.compile(r"\{(rule|period|rules):([a-z_]+)\}")


def _inline(text: str) -> Markup:
    out = []
    position = 0
    for match in _LINK.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(Markup('<a href="{}">{}</a>').format(match.group(2), match.group(1)))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def fill_rules(text: str) -> str:
    """Replace each rule reference with the rule's words; an unknown rule raises KeyError."""

    def one(match: re.Match[str]) -> str:
        form, key = match.groups()
        if form == "rules":
            return "\n".join(f"- {r.sentence} ({r.law})" for r in of_kind(Kind(key)))
        return RULES[key].sentence if form == "rule" else RULES[key].period

    return _RULE_REFERENCE.sub(one, text)


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


def translated(filename: str, language: str) -> str:
    """The notice's file in `language` ('privacy-2026-11.hi.md'), or the English one when it
    has none: the Hindi text is a translation of the same version, with the same rules."""
    if language == DEFAULT_LANGUAGE:
        return filename
    stem, suffix = filename.rsplit(".", 1)
    candidate = f"{stem}.{language}.{suffix}"
    return candidate if (NOTICES / candidate).is_file() else filename


def notice(filename: str, language: str | None = None) -> tuple[str, Markup]:
    """(version, rendered body) of a notice file, in the reader's language (or `language`);
    the rules' periods and sentences are filled in that language too."""
    version = filename.rsplit(".", 1)[0].split("-", 1)[1]
    language = language or current_language()
    text = (NOTICES / translated(filename, language)).read_text(encoding="utf-8")
    with in_language(language):
        return version, render(fill_rules(text))
