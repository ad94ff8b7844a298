from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from dashboard.verifications.service_charts import daily_chart as draw
from dashboard.verifications.service_stats import ServiceStats

register = template.Library()


@register.simple_tag
def daily_chart(stats: ServiceStats) -> SafeString:
    return draw(stats)
