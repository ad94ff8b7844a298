"""What every list's django-tables2 Table shares: rows already in keyset order, and a body
built in one pass through the Table's own render_* methods (notes/tables2-fast.md, idiom g:
the library's own cell loop costs ~0.4 ms a row; this one, the same renderers, a fraction).

On a phone (static/app.css, `table.cards`) each row is a card: the header row is hidden
visually and each cell shows its column's name from its `data-label`. `display: block` and
`grid` take a table's semantics away in browsers' accessibility trees, so every part carries
its role explicitly (table, rowgroup, row, columnheader, rowheader, cell): a screen reader
still reads "Phone, column 4" on a card. The opening tags are made once a column, not a row.
"""

from __future__ import annotations

from html import escape
from typing import Any

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django_tables2.data import TableListData


class PresortedListData(TableListData):  # type: ignore[misc]
    """The rows come ordered by the keyset query: the table must not sort them again."""

    def order_by(self, aliases: Any) -> None:
        return


def column_label(column: Any) -> str:
    """A column's name as plain text ("Select" for a visually hidden header's span)."""
    return " ".join(strip_tags(str(column.header)).split())


def cell_opening(column: Any, *, tag: str = "td") -> str:
    """`<td role="cell" … data-label="Phone">` for `column`: its own td attributes, its role,
    and its label unless the attributes name one already. `tag="th"`: a row's header cell."""
    attrs = dict(column.attrs.get("td", {}))
    attrs.setdefault("data-label", column_label(column))
    role = ' role="rowheader" scope="row"' if tag == "th" else ' role="cell"'
    rest = "".join(f' {escape(str(k))}="{escape(str(v))}"' for k, v in attrs.items() if v)
    return f"<{tag}{role}{rest}>"


class OnePassTable(tables.Table):  # type: ignore[misc]
    """A Table whose <tbody> is `body_html`: each cell through its render_* method (else
    escaped), each row's attributes from `tr_attrs`, each cell labelled with its column."""

    def tr_attrs(self, row: dict[str, Any]) -> str:
        """Attributes of a row's <tr>, already escaped; none by default."""
        return ""

    @cached_property
    def body_html(self) -> SafeString:
        columns = list(self.columns)
        names = [column.name for column in columns]
        openings = [cell_opening(column) for column in columns]
        renderers = [getattr(self, f"render_{name}", conditional_escape) for name in names]
        lines = []
        for row in self.data:
            cells = "".join(
                f"{opening}{render(row[name])}</td>"
                for name, opening, render in zip(names, openings, renderers, strict=True)
            )
            lines.append(f'<tr role="row"{self.tr_attrs(row)}>{cells}</tr>')
        return mark_safe("\n".join(lines))  # noqa: S308 (every cell escaped by its renderer)
