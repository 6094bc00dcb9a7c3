"""The `signon` command: a Flask CLI group with the project's commands.

Starting it loads only click and Flask's CLI: each command imports what it needs
when it runs, and the app is created only for a command that uses it (`signon
render` and `signon --help` never do), so a command starts in a fraction of a
second."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import FlaskGroup, with_appcontext

from .cli_render import render_command

if TYPE_CHECKING:
    from flask import Flask


def _create_app(*_args) -> Flask:
    from . import create_app

    return create_app()


class SignonGroup(FlaskGroup):
    """Flask's group, but our own commands are found without creating the app, and
    `signon --help` lists them with Flask's and Flask-Migrate's without loading either."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *(command.name for command in COMMANDS), "db"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        own = next((command for command in COMMANDS if command.name == name), None)
        if own is None and name == "db":
            from flask_migrate.cli import db as migrations

            return migrations
        return own or super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed = {command.name: command for command in (*self.commands.values(), *COMMANDS)}
        rows = [(name, listed[name].get_short_help_str(limit=45)) for name in listed]
        rows.append(("db", "Database migrations (Flask-Migrate): signon db upgrade."))
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


def main() -> None:
    """Entry point of the `signon` console script."""
    from .environment import SettingError

    _server_header_without_versions()
    try:
        SignonGroup(create_app=_create_app, help="signon: joint statements and their sign-ons.")(
            prog_name="signon"
        )
    except SettingError as error:  # the operator's to fix: the message, not a traceback
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def _server_header_without_versions() -> None:
    """`signon run` (Werkzeug's server) answers "Server: signon", not its own and
    Python's versions, which tell a prober which known flaws to try. gunicorn
    names itself without a version already."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda _handler: "signon"


def register_commands(app: Flask) -> None:
    """Attach the project's commands to app.cli (so `flask --app signon` has them too)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def older_than(meaning: str):
    """The --older-than DAYS option of the commands that clear old data."""
    return click.option(
        "--older-than",
        "days",
        required=True,
        metavar="DAYS",
        type=click.IntRange(min=0, max=36500),
        help=f"{meaning} (0 to 36500).",
    )


@click.command("init-db", help="Bring the database to the latest schema (= db upgrade).")
@with_appcontext
def init_db() -> None:
    from flask_migrate import upgrade

    upgrade()
    click.echo("Database is at the latest schema.")


@click.command(
    "create-user", help="Create an account; the password is read from a prompt or stdin."
)
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown to their team.")
@click.option("--admin", is_flag=True, help="An administrator sees every statement.")
@with_appcontext
def create_user(email: str, name: str, admin: bool) -> None:
    from .accounts.service import AccountError
    from .accounts.service import create_user as add_user
    from .extensions import db

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = add_user(email, name, password, is_admin=admin)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'user'} {user.email}.")


@click.command("import", help="Import a statement file; prints the statement's slug.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--owner", help="Email of the user who becomes the statement's owner.")
@click.option(
    "--change",
    type=click.Choice(["minor", "substantive"]),
    help="For a new text of a statement people signed: minor (their signatures carry "
    "over) or substantive (they are asked to confirm the new text).",
)
@with_appcontext
def import_command(path: Path, owner: str | None, change: str | None) -> None:
    from .accounts.service import find_user
    from .extensions import db
    from .statements.files import StatementFileError, read_statement_file
    from .statements.models import ChangeKind
    from .statements.service import StatementError
    from .statements.translation_files import read_translations_beside
    from .workspace.transfer import import_statement

    try:
        source = read_statement_file(path)
        translations = read_translations_beside(path)
    except StatementFileError as error:
        raise click.ClickException(str(error)) from None
    owner_user = None
    if owner:
        owner_user = find_user(owner)
        if owner_user is None:
            raise click.ClickException(f"No user with the email {owner}.")
    if change == "substantive":
        _diff_emails_ahead(source)
    try:
        statement = import_statement(
            source,
            owner=owner_user,
            change=ChangeKind(change) if change else None,
            translations=translations,
        )
    except StatementError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {error}") from None
    db.session.commit()
    click.echo(statement.slug)


def _diff_emails_ahead(source) -> None:
    """The re-confirmation emails of a substantive import show each signer the
    changes: diffed before the import takes the write lock, as the web's saves."""
    from sqlalchemy import select

    from .extensions import db
    from .signatures.reconfirm import diff_emails_ahead
    from .statements.models import Statement
    from .text import canonical_text

    if not source.slug:
        return  # a new statement: nobody to email
    statement = db.session.scalar(select(Statement).where(Statement.slug == source.slug))
    if statement is not None and statement.current_version is not None:
        diff_emails_ahead(statement, body=canonical_text(source.body))


@click.command("export", help="Write a statement back as a statement file.")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(slug: str, output: Path | None) -> None:
    from sqlalchemy import select

    from .extensions import db
    from .statements.files import dump_statement_file
    from .statements.models import Statement
    from .statements.translation_files import dump_translation_file, path_for
    from .workspace.transfer import export_statement, export_translations

    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    if statement is None:
        raise click.ClickException(f"No statement with the slug {slug!r}.")
    text = dump_statement_file(export_statement(statement))
    translations = export_translations(statement)
    if translations and not output:
        click.echo(
            "The statement has translations: give -o FILE to write them beside it.", err=True
        )
    if output:
        output.write_text(text, encoding="utf-8")
        for translation in translations:  # x.md's translations beside it: x.ru.md
            path = path_for(output, translation.language)
            path.write_text(dump_translation_file(translation), encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)


@click.command("demo", help="Create a demo owner account and import the example statement.")
@with_appcontext
def demo() -> None:
    from .demo import create_demo

    for line in create_demo():
        click.echo(line)


@click.command("send-mail", help="Send the mail waiting in the outbox; --loop keeps sending.")
@click.option(
    "--loop", is_flag=True, help="Keep draining until Ctrl-C or SIGTERM (ends between rounds)."
)
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send_mail(loop: bool, interval: float) -> None:
    import signal
    import time

    from flask import current_app

    from .mail.senders import sender_for
    from .mail.worker import drain_once, drain_round

    app = current_app._get_current_object()
    try:
        sender_for(app.config, app.instance_path)  # a mail setting that cannot work stops here
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not loop:
        click.echo(f"Outbox: {drain_once(app)}.")
        return

    stopping = False

    def stop(*_args) -> None:  # only a flag: the round in progress finishes its work
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        result = drain_round(app)  # a failed round is logged; the next one tries again
        if result and (result.sent or result.retrying or result.failed):
            click.echo(f"Outbox: {result}.")
        next_round = time.monotonic() + interval
        while not stopping and time.monotonic() < next_round:
            time.sleep(min(0.1, max(next_round - time.monotonic(), 0)))


@click.command(
    "purge-contacts",
    help="Remove signers' contact data (contact emails, authorisers, invitation "
    "addresses, the statement's mail) of statements published or closed more than "
    "DAYS days ago. The public list stays as it is.",
)
@older_than("Purge statements published or closed more than this many days ago")
@click.option("--dry-run", is_flag=True, help="List what would be purged; change nothing.")
@with_appcontext
def purge_contacts(days: int, dry_run: bool) -> None:
    from .extensions import db
    from .retention.service import purge_contacts_older_than, statements_due

    if dry_run:
        due = statements_due(days)
        for item in due:
            click.echo(f"Would purge {item.statement.slug} ({_ended(item)}): {item.contacts}.")
        click.echo(
            f"Dry run: {len(due)} statement{'' if len(due) == 1 else 's'} would be purged; "
            "nothing was changed."
        )
        return
    purged = purge_contacts_older_than(days)
    db.session.commit()
    for item in purged:
        click.echo(f"Purged {item.statement.slug} ({_ended(item)}): {item.contacts}.")
    click.echo(
        f"Purged the contact data of {len(purged)} statement{'' if len(purged) == 1 else 's'}."
    )


def _ended(item) -> str:
    what = "published" if item.statement.status.value == "published" else "closed"
    return f"{what} {item.ended_at:%Y-%m-%d}"


@click.command(
    "prune-renders",
    help="Delete cached PDF and DOCX files (instance/renders/) not written for DAYS "
    "days. Safe at any time: a file asked for again is rendered again. Published "
    "editions (instance/editions/) are never touched.",
)
@older_than("Delete files older than this many days")
@with_appcontext
def prune_renders(days: int) -> None:
    from flask import current_app

    from .documents.cache import prune

    removed = prune(current_app.instance_path, older_than_seconds=days * 86400)
    click.echo(f"Deleted {removed} cached file{'' if removed == 1 else 's'}.")


COMMANDS = (
    init_db,
    create_user,
    import_command,
    export_command,
    render_command,
    demo,
    send_mail,
    purge_contacts,
    prune_renders,
)
