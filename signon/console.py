"""The `signon` console script. `signon render` needs no app, no database and not
even Flask, so it runs without loading them and starts at once; every other
command goes through the Flask CLI group in cli.py."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `signon` console script."""
    if sys.argv[1:2] == ["render"]:
        from .cli_render import render_command

        render_command.main(args=sys.argv[2:], prog_name="signon render")
        return
    from .cli import main as flask_cli

    flask_cli()
