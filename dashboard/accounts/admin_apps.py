"""Django's admin app, on the site that asks for the second factor (admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "dashboard.accounts.admin_site.OperatorAdminSite"
