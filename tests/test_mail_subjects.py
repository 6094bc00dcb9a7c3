"""A subject in any script arrives as it was written: a long Russian or Arabic one
is folded into encoded words that keep every space (Python 3.11's own folding lost
the space where it broke the line, "подписать:Свободу")."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from signon.mail.compose import build_email
from signon.mail.models import OutboxMessage

SUBJECTS = (
    "Приглашение подписать: Свободу журналистам: прекратить преследование независимых СМИ",
    "دعوة للتوقيع: أطلقوا سراح الصحفيين في كل مكان الآن ومن دون أي تأخير على الإطلاق",
    "Invitation à signer : « Libérez les journalistes », une déclaration commune très longue",
    "Invitation to sign: a plain title long enough to be folded across two header lines",
)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_long_subject_keeps_its_spaces_on_the_wire(app, subject):
    row = OutboxMessage(
        kind="invitation", to_address="p@ngo.example", recipient_key="p@ngo.example",
        subject=subject, text_body="Text.\n", html_body="", headers={},
        message_id="<1@signon.test>",
    )  # fmt: skip
    wire = build_email(row, app.config).as_bytes(policy=policy.SMTP)
    head = wire.split(b"\r\n\r\n")[0].decode("ascii")
    assert all(len(line) <= 78 for line in head.split("\r\n")), head
    assert message_from_bytes(wire, policy=policy.default)["Subject"] == subject
