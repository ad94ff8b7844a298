from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself: system checks for its settings."""

    name = "dashboard"
    label = "dashboard_core"

    def ready(self) -> None:
        from dashboard import checks  # noqa: F401 (registers the checks)
