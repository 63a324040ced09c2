"""Flask CLI commands: ``flask seed-demo``, ``flask create-user``, ``flask up``, ``flask access-matrix``."""

import importlib

from flask import Flask

COMMAND_MODULES = ["cli.data", "cli.run", "cli.scheduler", "cli.panel"]


def init_cli(app: Flask) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)
