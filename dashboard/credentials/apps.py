from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    """Keeps renewed provider tokens (encrypted) and the last authentication problem."""

    name = "dashboard.credentials"
    label = "provider_credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard.credentials import checks  # noqa: F401 (registers the checks)
