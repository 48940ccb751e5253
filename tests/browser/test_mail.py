"""In a real browser: "Forgot your password?" from the login page, the e-mail it sends
(through a real SMTP server on loopback), and the link in it setting a new password."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.mail.conftest import MailServer, link_in, mail_server, smtp_server  # noqa: F401
from tests.mail.test_links import mail_station
from tests.web.people import EMAILS, Station


@pytest.fixture
def station(tmp_path: Path, mail_server: MailServer) -> Iterator[Station]:  # noqa: F811
    made = mail_station(tmp_path, mail_server)
    yield made
    made.services.db.dispose()


def test_a_presenter_who_forgot_their_password_sets_a_new_one_from_the_mail(
    station: Station,
    mail_server: MailServer,  # noqa: F811
    serve: Callable[[Flask], str],
    page: Page,
) -> None:
    base = serve(station.app)
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(EMAILS["presenter_b"])
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text(
        "If there is an account for that address, a link to choose a new password"
    )
    assert_accessible(page)
    assert station.services.mail.send_due() == 1
    [message] = mail_server.to(EMAILS["presenter_b"])
    page.goto(base + urlsplit(link_in(message)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill("a fresh long password")
    page.get_by_label("The same password again").fill("a fresh long password")
    page.get_by_role("button", name="Set my password").click()
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Show B")).to_be_visible()
