"""Scheduled jobs: the registry, the lease, the scheduler process, one module per job.

``load_jobs()`` imports the job modules so each registers itself under its explicit id.
"""

import importlib

JOB_MODULES = [
    "jobs.birthday",
    "jobs.holidays",
    "jobs.followup",
    "jobs.checkin",
    "jobs.escalation",
    "jobs.campaigns",
    "jobs.outbox",
    "jobs.surveys",
    "jobs.kpi_snapshot",
    "jobs.kpi_refresh",
]


def load_jobs() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)
