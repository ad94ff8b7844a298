import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 — built now, so that it is frozen below
# What Django and the libraries load lives as long as the worker. A full collection walked
# it all (~130,000 objects, ~65 ms here), paid by whichever request set it off: that was
# the p95 of the year-long Services page. Frozen, it is left out of every collection.
gc.freeze()
