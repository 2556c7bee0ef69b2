"""Every word a person reads is in the catalogue, and translated into Hindi.

Three checks, each per source file so a failure names where to look:
- no template has visible text (or a placeholder, title, alt or aria-label) outside gettext;
- no flash, field error or service refusal in the code is a bare string;
- every marked string has a Hindi translation in translations/hi/, not fuzzy, with the same
  placeholders (a translation missing one would break the page it is shown on)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "translations" / "hi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
CODE = sorted(
    path
    for folder in ("marketplace", "workers")
    for path in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in path.parts
)
PAGES = sorted(path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"})

# Words that are the same in every language: the brand, and what is not prose.
UNTRANSLATED = {"TradeSetu", "Trade", "Setu", "TS"}
SHOWN_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def unmarked_text(source: str) -> list[str]:
    """The words of a template a person would read that do not pass through gettext."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    # A {% trans %} block is gettext too (a sentence holding a link or a count).
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    shown = [
        value
        for attribute in SHOWN_ATTRIBUTES
        for value in re.findall(rf'\s{attribute}="([^"]*)"', source)
    ]
    text = re.sub(r"<[^>]*>", " ", re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S))
    shown.append(text)
    found = []
    for piece in shown:
        piece = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|&[#\w]+;", " ", piece, flags=re.S)
        words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", piece)
        words = [word for word in words if word not in UNTRANSLATED]
        if words:
            found.append(" ".join(words)[:80])
    return found


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_word_of_a_template_is_marked(page: Path):
    assert unmarked_text(page.read_text(encoding="utf-8")) == []


# Calls whose text a person reads: flash(message), errors.add(field, message), and the
# refusals services raise (their detail is shown on the page and in the API's answer).
REFUSALS = {"ServiceError", "ValidationFailed", "Conflict", "NotAuthenticated", "Forbidden"}
REFUSALS |= {"NotFound", "TooManyRequests"}


def _bare(node: ast.expr) -> bool:
    """A literal or an f-string: text that never met gettext."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)
    )


def _shown_text(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name == "flash" and node.args:
            yield node.lineno, node.args[0]
        elif name == "add" and len(node.args) == 2 and isinstance(function, ast.Attribute):
            yield node.lineno, node.args[1]
        elif name in REFUSALS and node.args:
            yield node.lineno, node.args[0]


@pytest.mark.parametrize("module", CODE, ids=_name)
def test_every_message_of_the_code_is_marked(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert [line for line, text in _shown_text(tree) if _bare(text)] == []


def _extracted(path: Path) -> set[str]:
    method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
    messages = set()
    for _line, message, _comments, _context in extract_from_file(method, str(path), KEYWORDS):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


@pytest.fixture(scope="module")
def hindi() -> dict[str, object]:
    with CATALOGUE.open("rb") as po_file:
        catalogue = read_po(po_file, locale="hi")
    return {
        message.id if isinstance(message.id, str) else message.id[0]: message
        for message in catalogue
        if message.id
    }


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sdif]", text))


@pytest.mark.parametrize("source", CODE + PAGES, ids=_name)
def test_every_marked_string_has_a_hindi_translation(source: Path, hindi):
    problems = []
    for msgid in sorted(_extracted(source)):
        message = hindi.get(msgid)
        forms = (
            []
            if message is None
            else (list(message.string) if isinstance(message.string, tuple) else [message.string])
        )
        if message is None or not all(forms):
            problems.append(f"not translated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif any(_placeholders(form) != _placeholders(msgid) for form in forms):
            problems.append(f"placeholders differ: {msgid!r}")
    assert problems == []
