"""Every model, imported so that metadata and Alembic see the whole schema."""

from models.appointments import Appointment
from models.audit import AuditLog
from models.base import Base, db, utcnow
from models.budgets import Budget, BudgetLine
from models.complaints import Complaint, SlaRule
from models.customers import CallLogToken, Customer, CustomerSearchKey, CustomerTag, EmotionEntry, Interaction
from models.gifts import Campaign, Gift
from models.handovers import Handover
from models.jobs import JobRun, JobSetting, OutboxMessage, SchedulerLease
from models.kpi import KpiDailySnapshot, KpiPeriodFigure, KpiRunningFigure, KpiSnapshotDay
from models.messaging import MessageEvent, MessageTemplate, ProviderToken, SurveyInvite
from models.orders import Order, OrderLine, Product
from models.policies import Policy
from models.replies import CannedReply
from models.staff import Team, User
from models.surveys import SurveyAnswer

__all__ = [
    "Appointment",
    "AuditLog",
    "Base",
    "Budget",
    "BudgetLine",
    "CallLogToken",
    "Campaign",
    "CannedReply",
    "Complaint",
    "Customer",
    "CustomerSearchKey",
    "CustomerTag",
    "EmotionEntry",
    "Gift",
    "Handover",
    "Interaction",
    "JobRun",
    "JobSetting",
    "KpiDailySnapshot",
    "KpiPeriodFigure",
    "KpiRunningFigure",
    "KpiSnapshotDay",
    "MessageEvent",
    "MessageTemplate",
    "Order",
    "OrderLine",
    "OutboxMessage",
    "Policy",
    "Product",
    "ProviderToken",
    "SchedulerLease",
    "SlaRule",
    "SurveyAnswer",
    "SurveyInvite",
    "Team",
    "User",
    "db",
    "utcnow",
]
