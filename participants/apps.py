from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def record_domain_change(sender, instance, **kwargs) -> None:
    from participants.services import domain_changed

    domain_changed(instance.cohort_id)


def renew_domains_revision(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    # A full save writes the revision the instance was loaded with: if the domains changed in
    # between, it would put back a revision under which processes keep the old domains.
    if not created and (update_fields is None or "domains_revision" in update_fields):
        from participants.services import domain_changed

        domain_changed(instance.pk)


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self) -> None:
        # Every save and delete, wherever it comes from (the cohort's pages, the Django admin).
        domain = self.get_model("Domain")
        post_save.connect(record_domain_change, sender=domain, dispatch_uid="record_domain_change_on_save")
        post_delete.connect(record_domain_change, sender=domain, dispatch_uid="record_domain_change_on_delete")
        cohort = self.get_model("Cohort")
        post_save.connect(renew_domains_revision, sender=cohort, dispatch_uid="renew_domains_revision")
