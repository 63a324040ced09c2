"""A delivery worker process: ``python -m jobs.delivery_worker [--until-empty] [--share 0.25]``.

``flask outbox work --workers N`` starts N of these (one on SQLite, whose single writer would
only make them wait for each other). Each takes batches with a lease (services.delivery), so
killing one loses nothing: its unfinished rows are taken again when their lease runs out.
"""

import argparse
import sys
import time

from app import create_app
from models import db
from services.delivery import Worker


def work(*, until_empty: bool, share: float, idle: float = 1.0, name: str | None = None) -> int:
    """Deliver until there is nothing due (``until_empty``) or forever; returns messages handled."""
    handled = 0
    worker = Worker(name=name, share=share)
    while True:
        counts = worker.run(limit=10_000)
        handled += sum(counts.values())
        db.session.remove()
        if not counts:
            if until_empty:
                return handled
            time.sleep(idle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until-empty", action="store_true", help="stop when nothing is due")
    parser.add_argument("--share", type=float, default=1.0, help="this worker's share of each provider's rate limit")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        handled = work(until_empty=args.until_empty, share=args.share, name=args.name)
    print(f"handled {handled}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
