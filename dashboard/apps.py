from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself: system checks for its settings, the request id of tasks, the stamp
    of each sign-in."""

    name = "dashboard"
    label = "dashboard_core"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from dashboard import checks  # noqa: F401 (registers the checks)
        from dashboard.accounts import session_limits  # noqa: F401 (stamps each sign-in)
        from dashboard.request_ids import end_task, serve_task

        task_started.connect(serve_task, dispatch_uid="dashboard.request_ids.serve_task")
        task_finished.connect(end_task, dispatch_uid="dashboard.request_ids.end_task")
