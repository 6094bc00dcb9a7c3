"""One count everywhere: the Text tab, the dashboard, the Signatures page, the
Publish page, the preview's JSON and the team's CSV count the same listed entries
(named and counted), and nobody unlisted is numbered as if listed."""

from __future__ import annotations

import json
import re

from .public_steps import (
    close_statement,
    csv_rows,
    logged_in,
    new_version,
    sign_as,
    withdraw_signature,
)
from .sign_on_steps import open_for_signing


def test_every_count_the_team_sees_is_the_listed_entries(app, dummy_user, dummy_statement):
    statement = dummy_statement
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Early One")  # these two signed version 1,
    sign_as(app, statement, dummy_user, "Early Two")
    new_version(app, statement, "A substantively new call.\n", by=dummy_user)  # then it changed
    sign_as(app, statement, dummy_user, "Named Network")
    sign_as(app, statement, dummy_user, "Quiet Collective", listed_publicly=None)  # counted
    gone = sign_as(app, statement, dummy_user, "Gone Group")
    withdraw_signature(app, gone)
    close_statement(app, statement)
    lead = logged_in(app, dummy_user)
    slug = statement.slug
    count = r'<span class="count"[^>]*>(\d+)</span>'

    text_tab = lead.get(f"/statements/{slug}").get_data(as_text=True)
    assert re.search(rf'id="signatories-heading">Signatories {count}', text_tab).group(1) == "2"
    assert "2 signers must re-confirm the new text" in text_tab
    for unlisted in ("Early One", "Early Two", "Gone Group", "Quiet Collective"):
        assert unlisted not in text_tab.split('id="signatories-heading"')[1]

    dashboard = lead.get("/").get_data(as_text=True)
    cell = re.search(r'data-label="Signatories">(.*?)</td>', dashboard, re.S).group(1)
    assert re.sub(r"<[^>]+>", " ", cell).split() == ["2", "2", "to", "re-confirm"]

    signatures = lead.get(f"/statements/{slug}/signatures").get_data(as_text=True)
    final = re.search(rf'id="final-heading">The final list, as it will print {count}', signatures)
    assert final.group(1) == "2"

    publish = lead.get(f"/statements/{slug}/publish").get_data(as_text=True)
    assert "<strong>2</strong> signatories: 1 named and 1 counted but not named." in publish

    counts = json.loads(lead.get(f"/statements/{slug}/preview.json").data)["counts"]
    assert counts == {"listed": 1, "anonymous": 1, "total": 2}

    header, *rows = csv_rows(lead.get(f"/statements/{slug}/signatures.csv").data)
    listed = [row[header.index("Name")] for row in rows if row[header.index("Listed")] == "yes"]
    assert sorted(listed) == ["Named Network", "Quiet Collective"]
