"""Entry point for ``python -m briefgen`` and the ``briefgen`` command."""

import sys


def main() -> None:
    """Ctrl-C while the modules load (a second on a slow machine) ends the command as it
    does later on: a short word and status 130, not a traceback."""
    try:
        from briefgen.cli import run
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
