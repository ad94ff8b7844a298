from django.apps import AppConfig


class VerificationsConfig(AppConfig):
    name = "dashboard.verifications"
    label = "verifications"
