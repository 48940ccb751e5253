"""Logging in and out, throttling, invitation and reset links, cookies and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from tests.web.people import (
    EMAILS,
    PASSWORD,
    Station,
    csrf,
    login,
    post,
    station_fixture,  # noqa: F401
)


def test_login_form_has_exactly_email_password_and_csrf_token(station: Station) -> None:
    page = station.client().get("/login").get_data(as_text=True)
    form = page[page.index("<form") : page.index("</form>")]
    assert sorted(set(re.findall(r'name="([^"]+)"', form))) == ["csrf_token", "email", "password"]


def test_presenter_logs_in_to_the_dashboard_and_out_again(station: Station) -> None:
    client = station.client()
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"email": "A@Example.org ", "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/dashboard"
    assert "Show A" in client.get("/dashboard").get_data(as_text=True)
    out = post(client, "/logout")
    assert out.status_code == 302
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_wrong_password_says_so_and_the_sixth_try_is_throttled(station: Station) -> None:
    client = station.client()
    for _ in range(5):
        token = csrf(client, "/login")
        answer = client.post(
            "/login", data={"email": EMAILS["volunteer"], "password": "nope", "csrf_token": token}
        )
        assert answer.status_code == 401
        assert "do not match" in answer.get_data(as_text=True)
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"email": EMAILS["volunteer"], "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in answer.get_data(as_text=True)
    station.clock[0] += timedelta(minutes=16)
    login(client, EMAILS["volunteer"])


def test_login_without_csrf_token_is_refused_with_a_sentence(station: Station) -> None:
    answer = station.client().post("/login", data={"email": EMAILS["admin"], "password": PASSWORD})
    assert answer.status_code == 400
    assert "reload the page" in answer.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(station: Station) -> None:
    client = station.client()
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"email": EMAILS["admin"], "password": PASSWORD, "csrf_token": token}
    )
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the default site address is http://
    assert station.app.config["SESSION_COOKIE_SECURE"] is False


def test_next_only_goes_to_this_site(station: Station) -> None:
    client = station.client()
    token = csrf(client, "/login")
    data = {"email": EMAILS["volunteer"], "password": PASSWORD, "csrf_token": token}
    answer = client.post("/login?next=//evil.example/x", data=data)
    assert answer.headers["Location"] == "/grid"
    client = station.client()
    data["csrf_token"] = csrf(client, "/login")
    assert client.post("/login?next=/grid/playlists", data=data).headers["Location"] == (
        "/grid/playlists"
    )


def test_invited_presenter_sets_a_password_once(station: Station) -> None:
    _, token = station.accounts.invite("new@example.org", "presenter", ["show-b"])
    client = station.client()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "new@example.org" in page.get_data(as_text=True)
    short = client.post(
        f"/invite/{token}",
        data={"password": "short", "confirm": "short", "csrf_token": csrf(client, "/login")},
    )
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)
    done = client.post(
        f"/invite/{token}",
        data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf(client, "/login")},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/dashboard"
    assert "Show B" in client.get("/dashboard").get_data(as_text=True)
    again = station.client().get(f"/invite/{token}")
    assert again.status_code == 404 and "already been used" in again.get_data(as_text=True)


def test_links_expire_and_are_stored_hashed(station: Station) -> None:
    _, token = station.accounts.invite("late@example.org", "volunteer")
    with station.services.db.session() as session:
        stored = session.execute(text("select token_hash from account_tokens")).scalars().all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    station.clock[0] += timedelta(days=8)
    answer = station.client().get(f"/invite/{token}")
    assert answer.status_code == 404 and "expired" in answer.get_data(as_text=True)


def test_a_link_works_only_as_what_it_was_sent_for(station: Station) -> None:
    _, invite = station.accounts.invite("new@example.org", "presenter", ["show-b"])
    reset = station.accounts.reset_link(station.people["presenter_b"].id)
    client = station.client()
    for wrong in (f"/reset/{invite}", f"/invite/{reset}"):
        page = client.get(wrong)
        assert page.status_code == 404
        assert "not a link we sent" in page.get_data(as_text=True)
    assert client.get(f"/invite/{invite}").status_code == 200
    assert client.get(f"/reset/{reset}").status_code == 200


def test_reset_link_changes_the_password_and_ends_other_sessions(station: Station) -> None:
    elsewhere = station.client("presenter_b")
    token = station.accounts.reset_link(station.people["presenter_b"].id)
    client = station.client()
    new = "a brand new password"
    answer = client.post(
        f"/reset/{token}",
        data={"password": new, "confirm": new, "csrf_token": csrf(client, "/login")},
    )
    assert answer.status_code == 302
    assert elsewhere.get("/dashboard").headers["Location"].startswith("/login")
    assert station.accounts.authenticate(EMAILS["presenter_b"], new) is not None
    assert station.accounts.authenticate(EMAILS["presenter_b"], PASSWORD) is None


def test_disabled_account_cannot_log_in_and_its_session_ends(station: Station) -> None:
    client = station.client("presenter_a")
    station.accounts.update(station.people["presenter_a"].id, disabled=True)
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"email": EMAILS["presenter_a"], "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 401


def test_admin_invites_a_presenter_whose_link_works(station: Station) -> None:
    admin = station.client("admin")
    answer = post(
        admin,
        "/admin/invite",
        {"email": "Newbie@Example.org", "name": "Newbie", "role": "presenter", "shows": ["show-b"]},
    )
    assert answer.status_code == 200
    link = re.search(r'value="(http://[^"]+/invite/[^"]+)"', answer.get_data(as_text=True))
    assert link is not None
    token = link.group(1).rsplit("/", 1)[1]
    account, purpose = station.accounts.check_token(token)
    assert account.email == "newbie@example.org" and account.shows == {"show-b"}
    assert purpose == "invite"
    assert "Newbie is now a presenter of Show B" in station.client().get("/changes").get_data(
        as_text=True
    )


def test_admin_changes_a_role_and_disables_an_account(station: Station) -> None:
    admin = station.client("admin")
    b = station.people["presenter_b"]
    path = f"/admin/accounts/{b.id}"
    answer = post(admin, path, {"name": "Bea", "role": "volunteer"}, page=path)
    assert answer.status_code == 302
    assert station.accounts.require(b.id).role == "volunteer"
    assert station.accounts.require(b.id).shows == frozenset()
    post(admin, path, {"name": "Bea", "role": "volunteer", "disabled": "y"}, page=path)
    assert station.accounts.require(b.id).disabled


def test_admin_cannot_lock_themselves_out(station: Station) -> None:
    admin = station.client("admin")
    me = station.people["admin"]
    path = f"/admin/accounts/{me.id}"
    answer = post(admin, path, {"name": "Ari", "role": "volunteer"}, page=path)
    assert answer.status_code == 422
    assert "cannot take away your own admin role" in answer.get_data(as_text=True)
    assert station.accounts.require(me.id).role == "admin"


def test_admin_makes_a_reset_link(station: Station) -> None:
    admin = station.client("admin")
    b = station.people["presenter_b"]
    answer = post(admin, f"/admin/accounts/{b.id}/link", page=f"/admin/accounts/{b.id}")
    assert answer.status_code == 200
    assert re.search(r"/reset/[\w-]{40,}", answer.get_data(as_text=True))


def test_station_settings_are_saved_and_checked(station: Station) -> None:
    admin = station.client("admin")
    bad = post(admin, "/admin/settings",
               {"timezone": "Mars/Olympus", "public_stream_url": "radio.org"},
               page="/admin/settings")  # fmt: skip
    page = bad.get_data(as_text=True)
    # Every problem at once, each by its field.
    assert bad.status_code == 422 and "not a time zone" in page
    assert "&#39;radio.org&#39; must start with http:// or https://." in page
    good = post(
        admin,
        "/admin/settings",
        {"station_name": "Westway FM", "live_server": "live.example.org"},
        page="/admin/settings",
    )
    assert good.status_code == 302
    assert "live.example.org" in station.client("presenter_a").get("/dashboard").get_data(
        as_text=True
    )


def test_the_cached_schedule_still_names_who_is_logged_in(station: Station) -> None:
    listener = station.client().get("/schedule").get_data(as_text=True)
    assert "Presenters: log in" in listener and "Log out" not in listener
    presenter = station.client("presenter_a").get("/schedule").get_data(as_text=True)
    assert 'Log out <span class="who">(Ada Presenter)</span>' in presenter
    assert "Presenters: log in" not in presenter
    assert "Presenters: log in" in station.client().get("/schedule").get_data(as_text=True)
