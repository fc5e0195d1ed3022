from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def record_domain_change(sender, instance, **kwargs) -> None:
    from participants.services import domain_changed

    domain_changed(instance.cohort_id)


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self) -> None:
        # Every save and delete, wherever it comes from (the cohort's pages, the Django admin).
        domain = self.get_model("Domain")
        post_save.connect(record_domain_change, sender=domain, dispatch_uid="record_domain_change_on_save")
        post_delete.connect(record_domain_change, sender=domain, dispatch_uid="record_domain_change_on_delete")
