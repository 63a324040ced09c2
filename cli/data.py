"""Data commands: demo data, staff accounts, the access matrix."""

import click
from flask import Flask
from sqlalchemy import func, select

from models import Customer, Team, User, db
from services import access, demo_data
from services.errors import ValidationError
from services.staff import create_user


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, password) of the demo accounts that exist."""
    rows = db.session.execute(
        select(User.role, User.email).where(User.email.like("%@cskh.vn"), User.active.is_(True)).order_by(User.id)
    ).all()
    return [(role, email, demo_data.DEMO_PASSWORD) for role, email in rows]


def print_logins() -> None:
    logins = demo_logins()
    if not logins:
        return
    click.echo(f"Demo logins (password for all: {demo_data.DEMO_PASSWORD}):")
    for role, email, _ in logins:
        click.echo(f"  {role:6} {email}")


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--customers", default=2000, show_default=True, help="How many customers to add.")
    @click.option("--seed", "random_seed", default=None, type=int, help="Random seed (default: fixed).")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has customers.")
    def seed_demo(customers: int, random_seed: int | None, if_empty: bool):
        """Fill the database with realistic Vietnamese demo data (adds on a second run)."""
        import random

        existing = db.session.scalar(select(func.count()).select_from(Customer))
        if if_empty and existing:
            click.echo(f"The database already has {existing} customers; nothing added.")
            return
        rng = random.Random(random_seed if random_seed is not None else 20261123 + existing)
        with click.progressbar(length=customers, label="Khách hàng / customers") as bar:
            counts = demo_data.seed(customers, progress=bar.update, rng=rng)
        click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
        print_logins()

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(access.ROLES), required=True)
    @click.option("--team", default=None, help="Team name (created if missing).")
    @click.option("--name", default=None)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_user_command(email, role, team, name, password):
        """Create a staff account."""
        team_obj = None
        if team:
            team_obj = db.session.scalar(select(Team).where(Team.name == team))
            if team_obj is None:
                team_obj = Team(name=team)
                db.session.add(team_obj)
                db.session.flush()
        try:
            user = create_user(email, password, role, name=name, team=team_obj)
        except ValidationError as exc:
            db.session.rollback()
            for field, messages in exc.errors.items():
                for message in messages:
                    click.echo(f"{field}: {message}", err=True)
            raise SystemExit(1) from None
        db.session.commit()
        click.echo(f"Created {user.role} {user.email}")

    @app.cli.command("access-matrix")
    def access_matrix():
        """Print the role matrix as the Markdown table the README shows."""
        click.echo("| resource | " + " | ".join(access.ROLES) + " |")
        click.echo("|---|" + "---|" * len(access.ROLES))
        for resource, cells in access.matrix_rows():
            click.echo(f"| {resource} | " + " | ".join(cells[r] for r in access.ROLES) + " |")
