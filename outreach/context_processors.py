"""What every page's header shows."""

from outreach.organisation import organisation_name


def organisation(request) -> dict:
    return {"organisation_name": organisation_name()}
