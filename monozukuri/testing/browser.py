"""Browser-test harness: a pytest plugin around Playwright's sync API.

Registered from the root ``conftest.py`` with
``pytest_plugins = ["monozukuri.testing.browser"]``.

Writing a browser test::

    import pytest
    from monozukuri.testing.browser import assert_accessible, login

    @pytest.mark.browser
    def test_dashboard(page, live_server, user):
        login(page, live_server, user.email, "pw")
        page.goto(live_server.url + "/")
        assert_accessible(page)

* Browser tests mark themselves ``@pytest.mark.browser`` (the marker is
  declared in the project's pytest configuration) and use pytest-django's
  ``live_server`` fixture, which runs the site in a thread of the test
  process. Requesting ``live_server`` already gives the test transactional
  database access (rows are committed, so the server thread sees them); no
  ``django_db`` mark is needed. ORM calls in the test body work because this
  module sets ``DJANGO_ALLOW_ASYNC_UNSAFE`` (see below).
* ``browser`` (session scope) is one headless Chromium per test process (per
  xdist worker). It is the Debian build at ``/usr/bin/chromium``, or
  ``$CHROMIUM_PATH``; Playwright's own browser downloads are never used. If it
  is missing the test is skipped, except under ``CI=true``, where it fails.
* ``page`` (function scope) is a fresh context + page (``ja-JP`` locale,
  1280x900, 10 s default timeouts). Every request that is not to the
  ``live_server`` origin is aborted, so no test can reach the network and a
  page that still references a CDN shows up as broken. The aborted URLs are
  collected in the ``blocked_requests`` fixture.
* ``assert_accessible(page)`` (alias ``axe_check``) runs the vendored
  axe-core against the current page and fails on serious/critical WCAG 2.1
  A/AA violations. ``run_axe(page)`` returns the raw results instead.
* ``login(page, live_server, email, password)`` signs in through the real
  log-in form; adjust the ``LOGIN_*`` constants below if the form changes.
* ``assert_page_structure(page)`` checks what axe cannot see as a whole: a
  non-empty ``<title>``, ``<html lang>``, exactly one banner / main /
  contentinfo landmark, a navigation landmark and one ``<h1>``.
* ``assert_no_horizontal_scroll(page)`` fails when the page is wider than
  the viewport (use it after ``page.set_viewport_size`` for phone widths).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import textwrap
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, WebSocketRoute

# Playwright's sync API drives an asyncio event loop from the main thread (in a
# greenlet). Once it has started, asyncio.get_running_loop() in the test body
# returns that loop, and Django's @async_unsafe guard then raises
# SynchronousOnlyOperation on every ORM call made by the test itself (creating
# test data, asserting on the database). The test body is still plain
# synchronous code, so the guard is a false alarm here. The browser fixture is
# session-scoped, so the loop stays alive for the rest of the process and the
# flag has to hold for every later test as well: set it process-wide, now.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# --- Log-in form (adjust here if the accounts app changes its form) ---------
LOGIN_PATH = "/accounts/login/"
LOGIN_USERNAME_SELECTOR = 'input[name="username"]'
LOGIN_PASSWORD_SELECTOR = 'input[name="password"]'
# The form that holds the username field, so a header search or log-out form
# elsewhere on the page is never submitted by mistake.
LOGIN_FORM_SELECTOR = f"form:has({LOGIN_USERNAME_SELECTOR})"
LOGIN_SUBMIT_SELECTOR = (
    'button[type="submit"], input[type="submit"], button:not([type])'
)
# Shown in the failure message when the log-in page comes back with errors.
LOGIN_ERROR_SELECTOR = ".errorlist, .alert, [role='alert']"

# --- Browser --------------------------------------------------------------------
DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCALE = "ja-JP"
VIEWPORT = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000

# --- axe-core -------------------------------------------------------------------
AXE_PATH = (
    Path(__file__).resolve().parent.parent
    / "core"
    / "static"
    / "vendor"
    / "axe-core"
    / "axe.min.js"
)
AXE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_FAILING_IMPACTS: tuple[str, ...] = ("serious", "critical")
# At most this many offending elements are listed per rule in a failure.
AXE_MAX_NODES_SHOWN = 10


class LiveServerLike(Protocol):
    """What the harness needs from pytest-django's ``live_server``."""

    @property
    def url(self) -> str: ...


def _ci_is_set() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer machine; fail loudly in CI."""
    __tracebackhide__ = True
    if _ci_is_set():
        pytest.fail(
            f"{reason}. Browser tests must not be skipped in CI (CI=true): "
            "install Debian's chromium package (apt-get install chromium) or set "
            "CHROMIUM_PATH.",
            pytrace=False,
        )
    pytest.skip(reason)


def _chromium_executable() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH
    if os.sep not in configured:
        return shutil.which(configured)
    if os.path.isfile(configured) and os.access(configured, os.X_OK):
        return configured
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole test process."""
    executable = _chromium_executable()
    if executable is None:
        configured = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH
        _unavailable(f"Chromium not installed (looked for {configured})")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Chromium not installed (the playwright package is missing)")

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
    except Exception:
        playwright.stop()
        raise
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the ``page`` fixture refused to fetch (anything off the live server)."""
    return []


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServerLike, blocked_requests: list[str]
) -> Iterator[Page]:
    """A fresh page in its own context that can only talk to the live server."""
    allowed_origin = _origin(live_server.url)

    def allowed(url: str) -> bool:
        if url.startswith(("data:", "about:", "blob:")):
            return True
        return _origin(url) == allowed_origin

    def guard(route: Route) -> None:
        url = route.request.url
        if allowed(url):
            route.continue_()
        else:
            blocked_requests.append(url)
            route.abort("blockedbyclient")

    def guard_websocket(ws: WebSocketRoute) -> None:
        if allowed(ws.url):
            ws.connect_to_server()
        else:
            blocked_requests.append(ws.url)
            ws.close(code=1008, reason="blocked by test harness")

    context = browser.new_context(
        locale=LOCALE,
        viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]},
        # Service workers' own fetches would bypass the route below.
        service_workers="block",
    )
    try:
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", guard)
        context.route_web_socket(lambda _url: True, guard_websocket)
        yield context.new_page()
    finally:
        context.close()


# --- Accessibility ----------------------------------------------------------------


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def _inject_axe(page: Page) -> None:
    if page.evaluate(
        "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"
    ):
        return
    from playwright.sync_api import Error as PlaywrightError

    source = _axe_source()
    # Refused (raises) under a Content-Security-Policy without 'unsafe-inline'.
    with contextlib.suppress(PlaywrightError):
        page.add_script_tag(content=source)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # An inline <script> is refused under a CSP without 'unsafe-inline';
        # evaluating through the DevTools protocol is not subject to the CSP.
        page.evaluate(source)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError(
            f"axe-core could not be loaded into {page.url} from {AXE_PATH}"
        )


_RUN_AXE_JS = """
async ({context, options}) => {
    return await window.axe.run(context === null ? document : context, options);
}
"""


def run_axe(
    page: Page,
    *,
    tags: Sequence[str] = AXE_TAGS,
    context: str | dict[str, Any] | None = None,
    disable_rules: Sequence[str] = (),
) -> dict[str, Any]:
    """Run the vendored axe-core on the page's main frame; return axe's raw results.

    ``context`` is an axe context (a CSS selector, or ``{"include": ...,
    "exclude": ...}``); by default the whole document. ``disable_rules`` turns
    individual axe rule ids off (say why in the test when you use it).
    """
    _inject_axe(page)
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    results: dict[str, Any] = page.evaluate(
        _RUN_AXE_JS, {"context": context, "options": options}
    )
    return results


def _format_target(target: object) -> str:
    # A target is a list of selectors; nested lists step into iframes/shadow roots.
    if isinstance(target, list):
        return " >> ".join(_format_target(part) for part in target)
    return str(target)


def format_violations(
    violations: Sequence[dict[str, Any]], *, url: str = "", version: str = ""
) -> str:
    """Human-readable report of axe violations, one numbered block per rule."""
    header = f"{len(violations)} accessibility violation(s)"
    if url:
        header += f" on {url}"
    if version:
        header += f" (axe-core {version})"
    lines = [header + ":"]
    for number, violation in enumerate(violations, start=1):
        nodes = violation.get("nodes", [])
        lines.append("")
        impact, rule, help_text = (violation.get(k) for k in ("impact", "id", "help"))
        lines.append(
            f"{number}. [{impact}] {rule}: {help_text} ({len(nodes)} element(s))"
        )
        if violation.get("helpUrl"):
            lines.append(f"   {violation['helpUrl']}")
        for node in nodes[:AXE_MAX_NODES_SHOWN]:
            lines.append(f"   - {_format_target(node.get('target', []))}")
            html = " ".join(str(node.get("html", "")).split())
            if html:
                lines.append(
                    f"     {textwrap.shorten(html, width=160, placeholder=' …')}"
                )
            summary = str(node.get("failureSummary") or "").strip()
            for summary_line in summary.splitlines():
                lines.append(f"       {summary_line.strip()}")
        if len(nodes) > AXE_MAX_NODES_SHOWN:
            lines.append(f"   … and {len(nodes) - AXE_MAX_NODES_SHOWN} more element(s)")
    return "\n".join(lines)


def assert_accessible(
    page: Page,
    *,
    tags: Sequence[str] = AXE_TAGS,
    impacts: Sequence[str] = AXE_FAILING_IMPACTS,
    context: str | dict[str, Any] | None = None,
    disable_rules: Sequence[str] = (),
) -> dict[str, Any]:
    """Fail the test if axe finds violations of the given impacts on the page.

    By default: WCAG 2.0/2.1 level A and AA rules, failing on ``serious`` and
    ``critical`` impact. Returns axe's raw results (which also hold any
    minor/moderate violations) for further assertions.
    """
    __tracebackhide__ = True
    results = run_axe(page, tags=tags, context=context, disable_rules=disable_rules)
    failing = [v for v in results.get("violations", []) if v.get("impact") in impacts]
    if failing:
        version = str(results.get("testEngine", {}).get("version", ""))
        pytest.fail(
            format_violations(failing, url=page.url, version=version), pytrace=True
        )
    return results


# The name used in the project's plan; same function.
axe_check = assert_accessible


_STRUCTURE_JS = """
() => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const count = (selector) => [...document.querySelectorAll(selector)].filter(visible).length;
    return {
        title: document.title.trim(),
        lang: document.documentElement.getAttribute("lang") || "",
        // header/footer count as banner/contentinfo only outside sectioning content.
        banner: count("body > header, [role=banner]"),
        main: count("main, [role=main]"),
        contentinfo: count("body > footer, [role=contentinfo]"),
        navigation: count("nav, [role=navigation]"),
        h1: count("h1"),
    };
}
"""


def assert_page_structure(page: Page, *, navigation: bool = True) -> None:
    """Fail unless the page has a title, a lang, one banner/main/contentinfo and one <h1>."""
    __tracebackhide__ = True
    found: dict[str, Any] = page.evaluate(_STRUCTURE_JS)
    problems = []
    if not found["title"]:
        problems.append("empty <title>")
    if not found["lang"]:
        problems.append("no lang attribute on <html>")
    for landmark in ("banner", "main", "contentinfo", "h1"):
        if found[landmark] != 1:
            problems.append(f"{found[landmark]} {landmark} element(s), expected 1")
    if navigation and not found["navigation"]:
        problems.append("no navigation landmark")
    if problems:
        pytest.fail(f"Page structure on {page.url}: " + "; ".join(problems), pytrace=True)


def assert_no_horizontal_scroll(page: Page) -> None:
    """Fail if the document is wider than the viewport (content cut off on a phone)."""
    __tracebackhide__ = True
    widths: dict[str, int] = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth})"
    )
    if widths["doc"] > widths["view"]:
        offenders = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""",
            widths["view"],
        )
        pytest.fail(
            f"{page.url} is {widths['doc']}px wide in a {widths['view']}px viewport; "
            f"widest elements: {offenders}",
            pytrace=True,
        )


# --- Log-in ---------------------------------------------------------------------


def login(page: Page, live_server: LiveServerLike, email: str, password: str) -> None:
    """Sign in through the log-in form; wait until the site redirects away from it."""
    __tracebackhide__ = True
    page.goto(live_server.url.rstrip("/") + LOGIN_PATH)
    form = page.locator(LOGIN_FORM_SELECTOR)
    form.locator(LOGIN_USERNAME_SELECTOR).fill(email)
    form.locator(LOGIN_PASSWORD_SELECTOR).fill(password)
    # A classic form POST always navigates: to the redirect target on success,
    # or back to the log-in page with errors.
    with page.expect_navigation():
        form.locator(LOGIN_SUBMIT_SELECTOR).first.click()
    if urlsplit(page.url).path == LOGIN_PATH:
        errors = page.locator(LOGIN_ERROR_SELECTOR).all_inner_texts()
        shown = (
            "; ".join(" ".join(e.split()) for e in errors if e.strip())
            or "no error message shown"
        )
        pytest.fail(
            f"Log-in as {email!r} failed: still on {LOGIN_PATH} ({shown})", pytrace=True
        )
