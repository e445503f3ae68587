"""The ``ringdesk`` command: parse options, set up the profile and logging, run the app."""

from __future__ import annotations

import logging
import sys
import time

STARTED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    from ui.import_costs import avoid_needless_import_costs

    avoid_needless_import_costs()

    from app.services.memory import limit_malloc_arenas

    limit_malloc_arenas()

    from app.logging_setup import configure_logging
    from app.profile import Profile
    from ui.cli import build_parser

    args = build_parser().parse_args(argv)
    profile = (Profile.at(args.profile) if args.profile else Profile.default()).create()
    configure_logging(profile.log_path, args.log_level)

    from ui.single_instance import InstanceRequest, hand_over, instance_name

    name = instance_name(profile.config_dir)
    if hand_over(name, InstanceRequest(args.link or "")):
        logging.getLogger("ringdesk").info("handed over to the running RingDesk; exiting")
        return 0

    from ui.application import run

    return run(args, profile, started=STARTED, instance_name=name)


if __name__ == "__main__":
    sys.exit(main())
