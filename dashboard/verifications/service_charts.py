"""A service's daily sessions and verified share as a small inline SVG, drawn on the server.

No script and no colour needed to read it: sessions are bars, the verified share a line
with square markers, the figure carries a title and a summary for screen readers, and a
table of the same numbers follows it. Built as a string (every piece of text escaped): a
year of days for several services is thousands of elements, too many for the template
engine within the page's budget.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dashboard.verifications.service_stats import DayFigures, ServiceStats

WIDTH = 300
HEIGHT = 64
# Headroom so that the highest bar and a 100 % line stay inside the frame.
TOP = 3
# Markers only while they stay apart.
MARKERS_UP_TO = 62


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(figures: DayFigures) -> str:
    # Digits and a month name: nothing to escape. Not strftime: a year of days a service.
    day = figures.day
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def summary(stats: ServiceStats) -> str:
    """The chart in words: its span, total, busiest and quietest day, verified range."""
    days = stats.days
    if not days:
        return "No days in this period."
    span = f"{len(days)} UTC day{'s' if len(days) != 1 else ''}, {_day(days[0])} – {_day(days[-1])}"
    if not stats.sessions:
        return f"{span}: no sessions."
    whole = [d for d in days if not d.partial] or list(days)
    busiest = max(whole, key=lambda d: d.sessions)
    quietest = min(whole, key=lambda d: d.sessions)
    words = [
        f"{span}: {stats.sessions:,} sessions",
        f"most {busiest.sessions:,} on {_day(busiest)}",
        f"fewest {quietest.sessions:,} on {_day(quietest)}",
    ]
    shares = [d for d in whole if d.verified_percent is not None]
    if shares:
        low = min(shares, key=lambda d: d.verified_percent or 0.0)
        high = max(shares, key=lambda d: d.verified_percent or 0.0)
        words.append(
            f"verified from {_percent(low.verified_percent)} ({_day(low)}) "
            f"to {_percent(high.verified_percent)} ({_day(high)})"
        )
    text = "; ".join(words) + "."
    cut = [d for d in days if d.partial]
    if cut:
        text += " Partly covered (outlined, left out of most and fewest): " + ", ".join(
            _day(d) for d in cut
        )
        text += "."
    return text


def _svg(stats: ServiceStats, ident: str, title: str, desc: str) -> str:
    days = stats.days
    slot = WIDTH / len(days)
    bar = max(slot * 0.8, 0.4)
    peak = max((d.sessions for d in days), default=0) or 1
    plot = HEIGHT - TOP
    parts = [
        f'<svg class="daily-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" focusable="false">',
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>',
        f'<line class="axis" x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}"/>',
    ]
    line: list[list[str]] = [[]]
    for i, d in enumerate(days):
        x = i * slot + (slot - bar) / 2
        height = plot * d.sessions / peak
        tip = f"{_day(d)}: {d.sessions:,} sessions, {_percent(d.verified_percent)} verified"
        if d.partial:
            tip += " (part of the day)"
        kind = "bar partial" if d.partial else "bar"
        parts.append(
            f'<rect class="{kind}" x="{x:.2f}" y="{HEIGHT - height:.2f}" width="{bar:.2f}" '
            f'height="{height:.2f}"><title>{tip}</title></rect>'
        )
        share = d.verified_percent
        if share is None:
            line.append([])
            continue
        line[-1].append(f"{i * slot + slot / 2:.2f},{HEIGHT - plot * share / 100:.2f}")
    for points in line:
        if len(points) > 1:
            parts.append(f'<polyline class="share" points="{" ".join(points)}"/>')
        if len(days) <= MARKERS_UP_TO or len(points) == 1:
            for point in points:
                x, y = (float(v) for v in point.split(","))
                parts.append(
                    f'<rect class="marker" x="{x - 1.5:.2f}" y="{y - 1.5:.2f}" '
                    'width="3" height="3"/>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _table(stats: ServiceStats) -> str:
    rows = "".join(
        f"<tr><th scope=row>{_day(d)}{' (part)' if d.partial else ''}</th>"
        f'<td class="num">{d.sessions:,}</td>'
        f'<td class="num">{_percent(d.verified_percent)}</td></tr>'
        for d in stats.days
    )
    return (
        '<details class="chart-table"><summary>Daily figures as a table</summary>'
        '<table class="chart-days"><thead><tr><th scope="col">Day (UTC)</th>'
        '<th scope="col" class="num">Sessions</th><th scope="col" class="num">Verified</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></details>"
    )


def daily_chart(stats: ServiceStats) -> SafeString:
    """The service's figure: caption, chart, scale, and the table behind it."""
    name = stats.service.display_name
    ident = "chart-" + "".join(c for c in stats.service.service_id if c.isalnum())
    title = f"{name}: sessions per UTC day (bars) and verified share (line)"
    if not stats.days:
        return mark_safe(  # noqa: S308 - every piece of text escaped
            f'<figure class="daily"><figcaption>{escape(name)}</figcaption>'
            '<p class="muted">No days in this period.</p></figure>'
        )
    desc = summary(stats)
    peak = max(d.sessions for d in stats.days)
    first, last = stats.days[0], stats.days[-1]
    html = (
        f'<figure class="daily" aria-labelledby="{ident}-c">'
        f'<figcaption id="{ident}-c"><span class="name">{escape(name)}</span> '
        f'<span class="muted">in UTC days</span></figcaption>'
        f'<div class="chart-frame"><span class="scale muted">{peak:,}</span>'
        f"{_svg(stats, ident, title, desc)}"
        '<span class="scale-right muted">100 %</span></div>'
        f'<p class="chart-axis muted"><span>{escape(_day(first))}</span>'
        f"<span>{escape(_day(last))}</span></p>"
        f'<p class="chart-summary">{escape(desc)}</p>'
        f"{_table(stats)}</figure>"
    )
    return mark_safe(html)  # noqa: S308 - every piece of text escaped
