from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def ready(self) -> None:
        # The services enqueue this app's tasks by name (the task module imports them): the
        # tasks are registered in every process, so a name resolves to the task, and an eager
        # run (the embedded default, tests) runs it in-process instead of sending it.
        from . import tasks  # noqa: F401
