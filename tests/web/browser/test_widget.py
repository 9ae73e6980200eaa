"""The two-line widget on a centre's website: shows the chat where allowed, nowhere else."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from tests.stack import free_port

pytestmark = pytest.mark.browser


@contextmanager
def centre_website(port: int, snippet: str):
    """A stand-in centre website on localhost:``port`` whose page carries ``snippet``."""
    page = (f"<!DOCTYPE html><html lang='en'><head><title>Darwen Family Hub</title></head>"
            f"<body><h1>Darwen Family Hub</h1>{snippet}</body></html>").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()


def snippet(site_url: str) -> str:
    # Exactly the two lines docs/web.md tells centres to paste.
    return ('<div id="signpost-chat"></div>\n'
            f'<script src="{site_url}/widget.js" async></script>')


def test_an_allowed_centre_site_shows_a_working_chat(browser, standin_site):
    port = urlparse(standin_site.embed_origins).port
    with centre_website(port, snippet(standin_site.url)) as host:
        context = browser.new_context()
        page = context.new_page()
        page.goto(host + "/")
        frame_element = page.locator("#signpost-chat iframe")
        frame_element.wait_for()
        assert frame_element.get_attribute("title").startswith("Signpost")
        chat = page.frame_locator("#signpost-chat iframe")
        chat.locator("#chat-input").fill("stay and play")
        chat.locator("#chat-input").press("Enter")
        chat.locator(".sp-card").first.wait_for(timeout=30_000)
        context.close()


def test_a_site_not_on_the_list_cannot_show_the_chat(browser, standin_site):
    with centre_website(free_port(), snippet(standin_site.url)) as host:
        context = browser.new_context()
        page = context.new_page()
        page.goto(host + "/")
        page.locator("#signpost-chat iframe").wait_for()
        frames = [f for f in page.frames if f != page.main_frame]
        assert frames, "the widget added no frame"
        frames[0].wait_for_load_state()
        assert frames[0].url.startswith("chrome-error://")
        assert frames[0].locator("#chat-input").count() == 0
        context.close()


def test_exit_inside_the_widget_leaves_the_whole_centre_site(browser, standin_site):
    port = urlparse(standin_site.embed_origins).port
    with centre_website(port, snippet(standin_site.url)) as host:
        context = browser.new_context()
        context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title>"))
        page = context.new_page()
        page.goto(host + "/")
        chat = page.frame_locator("#signpost-chat iframe")
        chat.locator("#exit-this-page").click()
        page.wait_for_url("https://www.bbc.co.uk/weather**")
        context.close()
