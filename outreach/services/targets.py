"""Saving and deleting yearly targets: validated by the rule set (`Target.clean`, `rules.target_errors`) and the
database's constraints, versioned by their history."""

from django.db import transaction

from outreach.models import Target


def target_save(target: Target) -> Target:
    """Validate a target with the rule set and save it (its history records who, from the request)."""
    target.full_clean()
    with transaction.atomic():
        target.save()
    return target
