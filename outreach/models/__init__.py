"""The outreach domain, one module per concern, re-exported here (as NetBox's `circuits/models/`), so that
every import reads `from outreach.models import ...`:

- `figures`: platforms, accounts, monthly snapshots, milestones, imports, and what is derived from them;
- `reports`: who receives the monthly report by e-mail, and every delivery of it.
"""

from outreach.models.figures import (
    DATA_VERSION_TABLES,
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
    "snapshot_history",
]
