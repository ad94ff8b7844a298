"""What a saved view stores of a list's address: its query string, parsed and re-encoded.

Stored text is re-encoded from parsed pairs, so whatever an operator (or a forged POST)
sends becomes a plain query that only ever follows the list's own path: it cannot carry a
scheme, a host or a fragment, and it renders escaped like any other text.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode

# Paging cursors point into one moment of a list; a view names the filters, not a page.
CURSORS = frozenset({"after", "before"})
MAX_QUERY_LENGTH = 2000
MAX_FIELDS = 100
MAX_NAME_LENGTH = 80


class InvalidQuery(ValueError):
    pass


class InvalidName(ValueError):
    pass


def normalise_query(raw: str) -> str:
    """The query without cursors or empty values, re-encoded; InvalidQuery if too long."""
    text = raw.removeprefix("?")
    if "\x00" in text or len(text) > MAX_QUERY_LENGTH * 3:
        raise InvalidQuery("That filter set cannot be saved.")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise InvalidQuery(f"That filter set has more than {MAX_FIELDS} values.") from exc
    if any("\x00" in k + v for k, v in pairs):
        raise InvalidQuery("That filter set cannot be saved.")
    kept = [(k, v) for k, v in pairs if k and v and k not in CURSORS]
    query = urlencode(kept)
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"That filter set is longer than {MAX_QUERY_LENGTH} characters.")
    return query


def clean_name(raw: str) -> str:
    """A name as shown in the menu: spaces collapsed, no control or direction characters."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidName("Give the view a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(f"Keep the name to {MAX_NAME_LENGTH} characters.")
    # Cc: control characters; Cf: format characters, among them the bidi overrides that
    # would make one name read as another.
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InvalidName("The name has invisible or control characters.")
    return name
