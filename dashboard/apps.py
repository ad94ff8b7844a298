from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself: system checks for its settings, the stamp of each sign-in."""

    name = "dashboard"
    label = "dashboard_core"

    def ready(self) -> None:
        from dashboard import checks  # noqa: F401 (registers the checks)
        from dashboard.accounts import session_limits  # noqa: F401 (stamps each sign-in)
