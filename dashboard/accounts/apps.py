from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dashboard.accounts"
    label = "accounts"

    def ready(self) -> None:
        from dashboard.accounts import signin  # noqa: F401 (connects the sign-in audit)
