"""The outreach domain, one module per concern, re-exported here (as NetBox's `circuits/models/`), so that
every import reads `from outreach.models import ...`:

- `figures`: platforms, accounts, monthly snapshots, milestones, imports, and what is derived from them;
- `reports`: who receives the monthly report by e-mail, and every delivery of it;
- `targets`: what each account is to reach in a year.
"""

from outreach.models.figures import (
    STANDARD_FORMAT,
    Account,
    AccountQuerySet,
    DataVersion,
    MetricSnapshot,
    Milestone,
    MonthlyTotal,
    Platform,
    SnapshotImport,
    snapshot_history,
)
from outreach.models.reports import DeliveryStatus, ReportDelivery, ReportSubscription
from outreach.models.targets import Target

# What the figures pages read (the dashboard, its filters, the reports); each has the data version's triggers.
DATA_VERSION_TABLES = tuple(
    model._meta.db_table for model in (Platform, Account, MetricSnapshot, Milestone, MonthlyTotal, Target)
)

__all__ = [
    "DATA_VERSION_TABLES",
    "STANDARD_FORMAT",
    "Account",
    "AccountQuerySet",
    "DataVersion",
    "DeliveryStatus",
    "MetricSnapshot",
    "Milestone",
    "MonthlyTotal",
    "Platform",
    "ReportDelivery",
    "ReportSubscription",
    "SnapshotImport",
    "Target",
    "snapshot_history",
]
