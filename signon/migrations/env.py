"""Alembic environment: the Flask app's engine and metadata, through Flask-Migrate."""

import logging
import warnings
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.exc import SAWarning

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    # Configure logging only when nothing else has (the CLI); tests keep their own.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def run_migrations_offline():
    context.configure(
        url=str(db.engine.url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty_autogenerate(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logging.getLogger("alembic.env").info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty_autogenerate)

    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect lower(email)-style indexes; batch migrations that
        # copy such a table must recreate those indexes themselves.
        warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
