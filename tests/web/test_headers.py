"""The page is safe to open: strict CSP, no inline code, nothing loaded from other sites."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

PAGES = ["/", "/search", "/search?need=stay_and_play&near=BB3", "/widget/chat"]


class Resources(HTMLParser):
    """Collects what a page would load and any inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.inline.append(f"event handler on <{tag}>")
        if tag == "style":
            self.inline.append("<style> element")
        if tag == "script":
            if "src" in attrs:
                self.loads.append(attrs["src"])
            else:
                self._in_script = True
        if tag in ("img", "iframe", "audio", "video", "source") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("path", PAGES)
async def test_pages_load_nothing_from_other_sites_and_have_no_inline_code(client, path):
    response = await client.get(path)
    assert response.status == 200
    page = Resources()
    page.feed(await response.text())
    assert page.inline == []
    assert page.loads and all(src.startswith("/") and not src.startswith("//") for src in page.loads)


@pytest.mark.parametrize("path", PAGES + ["/api/chat", "/no-such-page", "/static/chat.js"])
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_pages_cannot_be_framed_by_default(client):
    response = await client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_the_widget_page_can_be_framed_only_by_configured_centre_sites(client):
    response = await client.get("/widget/chat")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.example-centre.org.uk" in policy
    assert "X-Frame-Options" not in response.headers


async def test_with_no_embed_origins_configured_the_widget_page_cannot_be_framed(make_client):
    client = await make_client(embed_origins=[])
    response = await client.get("/widget/chat")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_the_chat_page_says_it_is_a_bot_and_shows_privacy_and_attribution(client):
    html = await (await client.get("/")).text()
    assert "Signpost is a chatbot" in html
    assert 'role="log"' in html and 'id="chat-log"' in html
    assert 'href="/privacy"' in html
    for line in ("Contains OS data © Crown copyright and database right 2026",
                 "Contains Royal Mail data © Royal Mail copyright and database right 2026",
                 "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
                 "Service data: Open Referral UK"):
        assert line in html
    assert "Exit this page" in html and 'href="https://www.bbc.co.uk/weather"' in html


async def test_widget_script_frames_our_widget_page(client):
    response = await client.get("/widget.js")
    assert response.status == 200
    assert response.content_type == "text/javascript"
    script = await response.text()
    assert '"/widget/chat"' in script and "document.currentScript" in script
    assert "innerHTML" not in script


async def test_a_wrong_address_gets_a_page_in_plain_words(client):
    response = await client.get("/no-such-page")
    assert response.status == 404
    html = await response.text()
    assert "Page not found" in html and 'href="/search"' in html and "01254 666444" in html


async def test_a_wrong_api_address_gets_json(client):
    response = await client.get("/api/nothing")
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"


async def test_inside_the_widget_our_other_pages_open_in_a_new_tab(client):
    html = await (await client.get("/widget/chat")).text()
    assert 'href="/search" target="_blank"' in html
    assert 'href="/privacy" target="_blank"' in html
    assert 'id="chat-form" action="/search" method="get" novalidate target="_blank"' in html


# --- Secure cookies --------------------------------------------------------------------------

def test_staff_cookies_are_secure_unless_plain_http_on_this_computer_is_asked_for():
    import pytest

    from common.settings import Settings, SettingsError

    assert Settings.from_env({}).secure_cookies is True
    assert Settings.from_env({"SIGNPOST_HOST": "0.0.0.0"}).secure_cookies is True
    assert Settings.from_env({"SIGNPOST_SECURE_COOKIES": "0"}).secure_cookies is False
    assert Settings.from_env({"SIGNPOST_SECURE_COOKIES": "0",
                              "SIGNPOST_HOST": "localhost"}).secure_cookies is False
    for host in ("0.0.0.0", "10.0.0.5", "chat.example.gov.uk"):
        with pytest.raises(SettingsError, match="SIGNPOST_SECURE_COOKIES=0"):
            Settings.from_env({"SIGNPOST_SECURE_COOKIES": "0", "SIGNPOST_HOST": host})


async def test_the_sign_in_page_sets_a_secure_cookie_with_the_default_settings(aiohttp_client,
                                                                               settings):
    import dataclasses

    from common.settings import Settings
    from web.app import create_app

    defaults = Settings.from_env({})
    client = await aiohttp_client(create_app(dataclasses.replace(
        settings, secure_cookies=defaults.secure_cookies)))
    page = await client.get("/staff/sign-in")
    assert page.status == 200
    assert "Secure" in page.headers["Set-Cookie"]
