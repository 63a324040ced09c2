"""Factories for the approval-driven rows: policies, budgets, gifts, campaigns."""

import itertools

from models import Budget, BudgetLine, Campaign, Gift, Policy, db

_n = itertools.count(1)


def make_policy(author, status: str = "draft", code: str | None = None, version: int = 1, **kw) -> Policy:
    policy = Policy(
        code=code or f"CS-{next(_n):02d}",
        version=version,
        title=kw.pop("title", "Chính sách bảo hành"),
        kind=kw.pop("kind", "warranty"),
        body=kw.pop("body", "Bảo hành 12 tháng."),
        status=status,
        author_id=author.id if author else None,
        channels=kw.pop("channels", "website,zalo"),
        **kw,
    )
    db.session.add(policy)
    db.session.flush()
    return policy


def make_budget(team=None, created_by=None, status: str = "draft", lines=(("gifts", 10_000_000, 0),), **kw) -> Budget:
    quarter_no = kw.pop("quarter_no", 4)
    year = kw.pop("year", 2026)
    budget = Budget(
        year=year,
        quarter_no=quarter_no,
        quarter=f"{year}-Q{quarter_no}",
        team_id=team.id if team else None,
        team_key=team.id if team else 0,
        title=kw.pop("title", "Ngân sách quý"),
        status=status,
        created_by_id=created_by.id if created_by else None,
        **kw,
    )
    budget.lines = [BudgetLine(category=c, description=f"Dòng {c}", planned=p, spent=s) for c, p, s in lines]
    db.session.add(budget)
    db.session.flush()
    return budget


def make_gift(customer, value: int = 300_000, line=None, submitted_by=None, status: str = "planned", **kw) -> Gift:
    gift = Gift(
        customer_id=customer.id,
        occasion=kw.pop("occasion", "birthday"),
        year=kw.pop("year", 2026),
        item=kw.pop("item", "Hoa và thiệp"),
        value=value,
        budget_line_id=line.id if line else None,
        status=status,
        submitted_by_id=submitted_by.id if submitted_by else None,
        **kw,
    )
    db.session.add(gift)
    db.session.flush()
    return gift


def make_campaign(created_by, status: str = "draft", **kw) -> Campaign:
    campaign = Campaign(
        name=kw.pop("name", "Tri ân khách VIP"),
        message_template=kw.pop("message_template", "Chào {name}, cảm ơn bạn!"),
        status=status,
        created_by_id=created_by.id if created_by else None,
        team_id=kw.pop("team_id", created_by.team_id if created_by else None),
        **kw,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign
