"""What every list's django-tables2 Table shares: rows already in keyset order, and a body
built in one pass through the Table's own render_* methods (notes/tables2-fast.md, idiom g:
the library's own cell loop costs ~0.4 ms a row; this one, the same renderers, a fraction)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2.data import TableListData


class PresortedListData(TableListData):  # type: ignore[misc]
    """The rows come ordered by the keyset query: the table must not sort them again."""

    def order_by(self, aliases: Any) -> None:
        return


class OnePassTable(tables.Table):  # type: ignore[misc]
    """A Table whose <tbody> is `body_html`: each cell through its render_* method (else
    escaped), each row's attributes from `tr_attrs`."""

    def tr_attrs(self, row: dict[str, Any]) -> str:
        """Attributes of a row's <tr>, already escaped; none by default."""
        return ""

    @cached_property
    def body_html(self) -> SafeString:
        names = [column.name for column in self.columns]
        renderers = [getattr(self, f"render_{name}", conditional_escape) for name in names]
        lines = []
        for row in self.data:
            cells = "".join(
                f"<td>{render(row[name])}</td>"
                for name, render in zip(names, renderers, strict=True)
            )
            lines.append(f"<tr{self.tr_attrs(row)}>{cells}</tr>")
        return mark_safe("\n".join(lines))  # noqa: S308 (every cell escaped by its renderer)
