from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dashboard.audit"
    label = "audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from dashboard.audit.triggers import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="audit_triggers")
