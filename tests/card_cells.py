"""Reads a list's table out of a page as a screen reader and a phone's card layout see it:
the roles on each part, the header row's names, each cell's data-label (static/app.css shows
it before the value when the row is a card)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str
    attrs: dict[str, str]


@dataclass
class Table:
    attrs: dict[str, str]
    rowgroups: list[str] = field(default_factory=list)  # role of each thead/tbody
    header_roles: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    row_roles: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.tables: list[Table] = []
        self.table: Table | None = None
        self.part = ""
        self.header_text: list[str] | None = None
        self.hidden = 0  # depth inside aria-hidden="true" (a sort arrow)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "table" and self.css_class in attrs.get("class", "").split():
            self.table = Table(attrs)
            self.tables.append(self.table)
            return
        table = self.table
        if table is None:
            return
        if self.hidden or attrs.get("aria-hidden") == "true":
            self.hidden += 1
        if tag in ("thead", "tbody"):
            self.part = tag
            table.rowgroups.append(attrs.get("role", ""))
        elif tag == "tr":
            if self.part == "tbody":
                table.rows.append([])
                table.row_roles.append(attrs.get("role", ""))
        elif tag == "th" and self.part == "thead":
            table.header_roles.append(attrs.get("role", ""))
            self.header_text = []
        elif tag in ("td", "th") and self.part == "tbody":
            table.rows[-1].append(Cell(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if self.table is None:
            return
        if self.hidden:
            self.hidden -= 1
        if tag == "table":
            self.table = None
        elif tag == "th" and self.header_text is not None:
            self.table.headers.append(" ".join("".join(self.header_text).split()))
            self.header_text = None

    def handle_data(self, data: str) -> None:
        if self.header_text is not None and not self.hidden:
            self.header_text.append(data)


def table(html: str, css_class: str) -> Table:
    """The one table of class `css_class` in `html`."""
    reader = _Reader(css_class)
    reader.feed(html)
    assert len(reader.tables) == 1, f"{len(reader.tables)} tables of class {css_class!r}"
    return reader.tables[0]


def assert_cards_labelled(html: str, css_class: str) -> Table:
    """The table of `css_class` becomes cards on a phone, and each of its cells, in each row,
    carries its column's name and its role; so does every part of the table."""
    found = table(html, css_class)
    assert "cards" in found.attrs["class"].split()
    assert found.attrs.get("role") == "table"
    assert found.rowgroups == ["rowgroup", "rowgroup"]
    assert found.header_roles == ["columnheader"] * len(found.headers)
    assert found.rows, "no rows to check"
    assert found.row_roles == ["row"] * len(found.rows)
    for row in found.rows:
        assert [cell.attrs.get("data-label") for cell in row] == found.headers, row
        assert [cell.attrs.get("role") for cell in row] == [
            "rowheader" if cell.tag == "th" else "cell" for cell in row
        ], row
    return found
