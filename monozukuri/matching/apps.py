from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "monozukuri.matching"
    label = "matching"
    verbose_name = "matching"

    def ready(self) -> None:
        # Outcomes of introductions become metrics a plan's KPI can take its actual from (plans.metrics);
        # plans never imports matching, matching registers itself.
        from monozukuri.matching.metrics import register_metrics

        register_metrics()
