"""signon: joint statements, sign-on through signed links, PDF and DOCX."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_path=os.environ.get("SIGNON_INSTANCE_PATH") or paths.default_instance_path(),
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES),
        static_folder="static",
    )
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = str(config["INSTANCE_PATH"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import config as configuration

    for warning in configuration.load(app, config):
        # At start-up, in the server's log: a misspelt SIGNON_* variable sets nothing.
        app.logger.warning(warning)

    from . import database, errors, locale_choice, proxies, routing, web
    from .accounts import login as accounts_login
    from .extensions import csrf, db, limiter, migrate
    from .publication.service import note_list_change
    from .signatures import list_revision
    from .signatures.list_changes import on_list_change

    routing.register(app)  # before any rule is added: `<int:...>` is bounded
    _import_models()
    list_revision.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    errors.register(app)  # before the limiter: its Retry-After is put right after it
    limiter.init_app(app)
    _show_rate_limit_store_changes()
    proxies.trust_proxies(app)
    accounts_login.init_app(app)
    database.configure(app)
    web.register(app)
    locale_choice.install(app)
    on_list_change(app, note_list_change)  # a published list gets its next edition

    from .accounts.admin_views import blueprint as admin_blueprint
    from .accounts.join_views import blueprint as team_blueprint
    from .accounts.views import blueprint as accounts_blueprint
    from .public.views import blueprint as public_blueprint
    from .publication.views import blueprint as publication_blueprint
    from .retention.views import blueprint as retention_blueprint
    from .signatures.invitations.views import blueprint as invitations_blueprint
    from .signatures.signer.views import blueprint as signer_blueprint
    from .signatures.views import blueprint as signatures_blueprint
    from .statements.views import blueprint as statements_blueprint
    from .trail.views import blueprint as trail_blueprint
    from .workspace.translation_views import blueprint as translations_blueprint
    from .workspace.views import blueprint as workspace_blueprint

    app.register_blueprint(accounts_blueprint)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(team_blueprint)
    app.register_blueprint(statements_blueprint)
    app.register_blueprint(workspace_blueprint)
    app.register_blueprint(translations_blueprint)
    app.register_blueprint(signatures_blueprint)
    app.register_blueprint(invitations_blueprint)
    app.register_blueprint(signer_blueprint)
    app.register_blueprint(public_blueprint)
    app.register_blueprint(publication_blueprint)
    app.register_blueprint(trail_blueprint)
    app.register_blueprint(retention_blueprint)

    from .cli import register_commands

    register_commands(app)
    if app.config["MAIL_WORKER_THREAD"]:
        from .mail.worker import start_background_worker

        app.extensions["signon.outbox_worker"] = start_background_worker(app)
    return app


def _show_rate_limit_store_changes() -> None:
    """Flask-Limiter says in its own logger when its store (Redis) stops answering
    and limits fall back to this process, and when it is back; where logging is not
    configured, that goes where the app's own warnings go."""
    import logging

    from flask.logging import default_handler

    logger = logging.getLogger("flask-limiter")
    if default_handler not in logger.handlers and not logging.getLogger().handlers:
        logger.addHandler(default_handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def _import_models() -> None:
    """Import every model module so the metadata (and Alembic) knows each table."""
    from .accounts import models as _accounts  # noqa: F401
    from .accounts import security_log as _security_log  # noqa: F401
    from .accounts import site_settings as _site_settings  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .mail import models as _mail  # noqa: F401
    from .publication import models as _publication  # noqa: F401
    from .signatures import models as _signatures  # noqa: F401
    from .statements import models as _statements  # noqa: F401
    from .statements import translation_models as _translations  # noqa: F401
