"""A person's identifiers, found in free text however they were typed, and anyone's contact
details, found to be hidden.

Two tools, used by the erasure (every domain's eraser replaces what `PersonIdentifiers` finds)
and by the BuyLead and enquiry views (`mask_contacts` hides what a supplier must unlock):

- `PersonIdentifiers` knows one person by everything the portal holds for them: email
  addresses, phone numbers (any Indian way of writing them: +91 98765 43210, 098765-43210,
  (+91) 98765-43210, 91-9876543210, 0091 ..., spaced, dashed, dotted, bracketed), GSTINs and the
  PAN inside them (with or without spaces), the full name, company and trade names and address
  lines (as phrases, whatever the spacing and punctuation between their words), and the parts
  of the name.
- The strong identifiers (emails, phones, tax numbers, and phrases of two words and eight
  letters or more) are found in any text. A name part alone ("Ravi", "Kumar") is too common to
  erase from other people's texts: it is found only in a text about the person (their own
  enquiry, a conversation with them, a complaint they filed), or in a text that also names them
  by a strong identifier. A name part counts from three letters, as a whole word.

Phone numbers are found by libphonenumber's matcher (region IN) and, for the person's own
numbers, by their digits with any separators between them: the matcher gives up on runs of
several numbers ("98765 43210 98765 43211") and must not be the only net for an erasure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import phonenumbers

# What a phone number's digits may be separated by: spaces, dashes, dots, brackets.
_SEP = r"[\s().\-]{0,3}"
# A country code or trunk prefix written before a number: +91, (+91), 0091, 91-, 0.
_PREFIX = r"(?:(?:(?:\(\s*)?(?:\+|\b00)\s*\d{1,3}\s*\)?|\b91)[\s.\-]*\(?\s*|\b0[\s.\-]*)"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+\s*@\s*[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A link: a web address, or a WhatsApp or Telegram chat link; a last full stop or comma is the
# sentence's, not the link's.
_LINK = re.compile(
    r"(?:\bhttps?://|\bwww\.|\b(?:wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|t\.me)/)"
    r"\S+?(?=[.,;:!?)\]]*(?:\s|$))",
    re.IGNORECASE,
)
# Ten digits or more, however separated: a number the matcher did not recognise (several run
# together, an unusual grouping). No quantity or price is written that long.
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d(?:[\s().\-]{0,3}\d){9,}(?!\w)")
# Words a business name ends with that say nothing about which business it is.
_LEGAL_SUFFIX = re.compile(
    r"[\s,.&-]*\b(?:private|pvt|limited|ltd|llp|co|company|inc|opc|and|&)\.?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")
_SQUEEZE = re.compile(r"[\W_]+")
_MAYBE_PHONE = re.compile(r"\d(?:[\s().\-]{0,3}\d){6,}")
MIN_NAME_PART = 3
# A phrase found in anyone's text: at least two words and this many letters.
MIN_PHRASE_LETTERS = 8

Span = tuple[int, int]


def _phrase_pattern(phrase: str) -> str | None:
    """A phrase's words in order, with any spacing or punctuation between them."""
    words = re.findall(r"\w+", phrase)
    if not words:
        return None
    return r"(?<!\w)" + r"[\W_]+".join(re.escape(word) for word in words) + r"(?!\w)"


def _spaced(value: str) -> str:
    """An identifier's characters with an optional space, dot or dash between any two."""
    return r"[\s.\-]?".join(re.escape(char) for char in value)


def _national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", e164)
    return phonenumbers.national_significant_number(number)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _strip_legal_suffix(name: str) -> str:
    previous = None
    while previous != name:
        previous, name = name, _LEGAL_SUFFIX.sub("", name).strip()
    return name


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def replace_spans(text: str, spans: Iterable[Span], replacement: str) -> str:
    """`text` with each span (merged where they overlap) replaced by `replacement`."""
    parts, last = [], 0
    for start, end in _merge(spans):
        parts += [text[last:start], replacement]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _with_prefix(text: str, start: int) -> int:
    """Where a number found at `start` really begins, counting a country code or trunk prefix
    written before it ("(+91) " before "98765-43210")."""
    found = re.search(_PREFIX + r"$", text[max(0, start - 12) : start])
    return start - len(found.group(0)) if found else start


@dataclass(frozen=True)
class PersonIdentifiers:
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # E.164, as stored
    tax_ids: tuple[str, ...] = ()  # GSTINs and PANs
    phrases: tuple[str, ...] = ()  # the full name, business names, address lines
    name_parts: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        emails: Iterable[str | None] = (),
        phones: Iterable[str | None] = (),
        gstins: Iterable[str | None] = (),
        pans: Iterable[str | None] = (),
        names: Iterable[str | None] = (),
        businesses: Iterable[str | None] = (),
        addresses: Iterable[str | None] = (),
    ) -> PersonIdentifiers:
        """Everything known of one person; empty and missing values are left out."""
        gstin_list = [g.strip().upper() for g in gstins if g and g.strip()]
        # A GSTIN's characters 3 to 12 are the business's PAN.
        pan_list = [p.strip().upper() for p in pans if p and len(p.strip()) == 10]
        pan_list += [g[2:12] for g in gstin_list if len(g) == 15]
        name_list = [n.strip() for n in names if n and n.strip()]
        business_list = [b.strip() for b in businesses if b and b.strip()]
        business_list += [_strip_legal_suffix(b) for b in business_list]
        parts = {
            word for name in name_list for word in _WORD.findall(name) if len(word) >= MIN_NAME_PART
        }
        return cls(
            emails=tuple(sorted({e.strip().lower() for e in emails if e and "@" in e})),
            phones=tuple(sorted({p.strip() for p in phones if p and p.strip()})),
            tax_ids=tuple(sorted(set(gstin_list + pan_list), key=len, reverse=True)),
            # Longest first: a business name is tried before the same name without "Pvt Ltd".
            phrases=tuple(
                sorted(
                    {
                        p.strip()
                        for p in (*name_list, *business_list, *addresses)
                        if p and p.strip()
                    },
                    key=len,
                    reverse=True,
                )
            ),
            name_parts=tuple(sorted(parts)),
        )

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The strong identifiers' pattern and the weak ones' (built once per person)."""
        strong = [re.escape(email).replace("@", r"\s*@\s*") for email in self.emails]
        strong += [_spaced(value) for value in self.tax_ids]
        for national in self._nationals:
            strong.append(rf"(?<!\d)(?:{_PREFIX})?{_SEP.join(national)}(?!\d)")
        weak = [pattern for pattern, distinctive in self._phrase_patterns if not distinctive]
        strong += [pattern for pattern, distinctive in self._phrase_patterns if distinctive]
        # A phrase is tried before the parts of it.
        weak += [rf"(?<!\w){re.escape(part)}(?!\w)" for part in self.name_parts]
        return (
            re.compile("|".join(strong), re.IGNORECASE) if strong else None,
            re.compile("|".join(weak), re.IGNORECASE) if weak else None,
        )

    @cached_property
    def _phrase_patterns(self) -> list[tuple[str, bool]]:
        """Each phrase's pattern, and whether it is distinctive enough to be strong."""
        found = []
        for phrase in self.phrases:
            words = _WORD.findall(phrase)
            pattern = _phrase_pattern(phrase)
            if pattern is not None:
                found.append(
                    (pattern, len(words) >= 2 and sum(map(len, words)) >= MIN_PHRASE_LETTERS)
                )
        return found

    @cached_property
    def _anchors(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """What any mention must contain, tested with `in` before a pattern runs (a scan reads
        every text of the portal, most of which name nobody): the squeezed numbers (GSTIN,
        PAN, phone digits, found in the text's letters and digits run together), the words a
        strong mention holds, the words a weak one holds (all in lower case)."""
        squeezed = (*self.tax_ids, *self._nationals)
        strong = [email.split("@")[0] for email in self.emails]
        weak = [part.lower() for part in self.name_parts]
        for phrase in self.phrases:
            words = _WORD.findall(phrase.lower())
            distinctive = len(words) >= 2 and sum(map(len, words)) >= MIN_PHRASE_LETTERS
            if words:
                (strong if distinctive else weak).append(words[0])
        return squeezed, tuple(strong), tuple(weak)

    @cached_property
    def _nationals(self) -> tuple[str, ...]:
        return tuple(sorted({_national(phone) for phone in self.phones}))

    def _phone_spans(self, text: str) -> list[Span]:
        wanted = set(self.phones)
        return [
            (_with_prefix(text, match.start), match.end)
            for match in phonenumbers.PhoneNumberMatcher(
                text, "IN", leniency=phonenumbers.Leniency.POSSIBLE
            )
            if _e164(match.number) in wanted
        ]

    def find(self, text: str | None, *, about_them: bool = False) -> list[Span]:
        """Where `text` names this person. Name parts count when the text is about them, or
        when it also names them by a strong identifier."""
        if not text:
            return []
        strong, weak = self._patterns
        squeezed_ids, strong_words, weak_words = self._anchors
        lowered = text.lower()
        squeezed = _SQUEEZE.sub("", text).upper()
        spans: list[Span] = []
        # The matcher is slow: it reads only a text whose digits hold one of the numbers.
        if any(national in squeezed for national in self._nationals):
            spans += self._phone_spans(text)
        if strong is not None and (
            any(value in squeezed for value in squeezed_ids)
            or any(word in lowered for word in strong_words)
        ):
            spans += [match.span() for match in strong.finditer(text)]
        if (
            weak is not None
            and (about_them or spans)
            and any(word in lowered for word in weak_words)
        ):
            spans += [match.span() for match in weak.finditer(text)]
        return _merge(spans)

    def replace(
        self, text: str | None, replacement: str, *, about_them: bool = False
    ) -> str | None:
        """`text` with every mention of this person replaced; None and "" stay as they are."""
        if not text:
            return text
        spans = self.find(text, about_them=about_them)
        return replace_spans(text, spans, replacement) if spans else text

    def mentioned_in(self, text: str | None) -> bool:
        """Whether `text` names this person by a strong identifier."""
        return bool(self.find(text))


# --- anyone's contact details, hidden until a supplier unlocks them --------------------------

PHONE_HIDDEN = "[phone number hidden until you unlock the buyer's contact]"
EMAIL_HIDDEN = "[email address hidden until you unlock the buyer's contact]"
LINK_HIDDEN = "[link hidden until you unlock the buyer's contact]"


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """Every phone number, email address and link in `text`, each with what it is."""
    found: list[tuple[int, int, str]] = [(*m.span(), "link") for m in _LINK.finditer(text)]
    found += [(*m.span(), "email") for m in _EMAIL.finditer(text)]
    # The matcher is slow: it reads only a text with seven digits or more in a row, however
    # separated (no phone number is shorter).
    if _MAYBE_PHONE.search(text):
        found += [
            (_with_prefix(text, match.start), match.end, "phone")
            for match in phonenumbers.PhoneNumberMatcher(
                text, "IN", leniency=phonenumbers.Leniency.VALID
            )
        ]
        found += [(*m.span(), "phone") for m in _DIGIT_RUN.finditer(text)]
    return found


def mask_contacts(text: str | None) -> str | None:
    """`text` with every contact detail replaced by plain words saying it is hidden."""
    if not text:
        return text
    found = contact_spans(text)
    if not found:
        return text
    words = {"link": LINK_HIDDEN, "email": EMAIL_HIDDEN, "phone": PHONE_HIDDEN}
    parts, last = [], 0
    for start, end in _merge((start, end) for start, end, _ in found):
        # A link holding a number or an address is one link, an address holding digits one
        # address: the widest kind inside the span names it.
        inside = {kind for s, e, kind in found if start <= s and e <= end}
        kind = next(kind for kind in ("link", "email", "phone") if kind in inside)
        parts += [text[last:start], words[kind]]
        last = end
    parts.append(text[last:])
    return "".join(parts)
