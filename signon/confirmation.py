"""Consequential actions ask once more, without JavaScript.

The first POST of such an action (close, remove a member, revoke a link...)
changes nothing: it answers with a page that says what will happen and a button
that posts the same form again with `confirm=yes`. Only that second POST acts.
"""

from __future__ import annotations

from flask import render_template, request

CONFIRM_FIELD = "confirm"


def confirmed() -> bool:
    """True when the request is the second, confirming POST."""
    return request.form.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    *,
    title: str,
    question: str,
    consequences: list[str],
    confirm_label: str,
    cancel_url: str,
    statement=None,
    tab: str = "workspace.show",
    fields: dict[str, str] | None = None,
    danger: bool = True,
):
    """The page asking to confirm: it posts the current form back to its own URL,
    with the original fields and confirm=yes. Status 200: nothing went wrong.
    With a statement, the page carries its tabs, `tab` marked."""
    return render_template(
        "confirm.html",
        title=title,
        question=question,
        consequences=consequences,
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        statement=statement,
        tab=tab,
        action=request.path,
        fields=fields or {},
        danger=danger,
    )
