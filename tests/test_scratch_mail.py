from .mail_support import invite, open_for_signing, outbox


def test_long_title(app, dummy_user, create_statement):
    st = create_statement(title="T" * 300)
    open_for_signing(app, st.id)
    invite(app, st.id, dummy_user.id, "Org, a@b.example")
    assert len(outbox(app)) == 1


def test_base_zero(app, dummy_user, dummy_statement, send_outbox):
    from .mailbox import free_port

    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=free_port(),
        MAIL_RETRY_BASE_SECONDS=0,
    )
    open_for_signing(app, dummy_statement.id)
    invite(app, dummy_statement.id, dummy_user.id, "Org, a@b.example")
    print(send_outbox())
    assert outbox(app)[0].attempts == 1
