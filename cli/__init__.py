"""Flask CLI commands: seed-demo, create-user, up, access-matrix, scheduler, panel, kpi-snapshot."""

import importlib

from flask import Flask

COMMAND_MODULES = ["cli.data", "cli.run", "cli.scheduler", "cli.panel", "cli.kpi", "cli.outbox"]


def init_cli(app: Flask) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)
