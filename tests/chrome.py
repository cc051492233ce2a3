"""A headless Chromium driven by Playwright with the network off, for the browser tests.

Playwright drives the system's Chromium (Debian's ``chromium``) through ``executable_path``: its
own browser download is never needed. :func:`missing` says why the tests must skip (no Playwright,
no Chromium); the page's every request that is not local is refused and recorded.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Environment variable naming the Chromium to drive (default: the first found of CANDIDATES).
ENV_CHROMIUM = "ANALYSIS_CHROMIUM"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags that keep the browser quiet and off the network: every host name resolves to nothing.
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND")
LOCAL = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
VIEWPORT = {"width": 1280, "height": 900}

#: JavaScript: whether an element is seen — in the viewport, not cut by a scrolling or clipping
#: ancestor, and the element (or one inside it) is what is at its centre (nothing covers it).
SEEN = """(el) => {
  const r = el.getBoundingClientRect();
  const box = [r.left, r.top, r.right, r.bottom];
  const size = r.width > 0 && r.height > 0;
  const inViewport = r.top >= -1 && r.left >= -1 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
  const clippedBy = [];
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    const q = a.getBoundingClientRect();
    if (r.top < q.top - 1 || r.bottom > q.bottom + 1 || r.left < q.left - 1 || r.right > q.right + 1)
      clippedBy.push(a.tagName + "." + a.className);
  }
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const onTop = !!hit && (hit === el || el.contains(hit));
  return {box, size, inViewport, clippedBy, onTop, hit: hit ? hit.tagName + "." + hit.className : null};
}"""


def executable() -> str | None:
    """The Chromium to drive: ``$ANALYSIS_CHROMIUM``, else the first of CANDIDATES found."""
    given = os.environ.get(ENV_CHROMIUM)
    if given:
        return given if Path(given).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name) or (name if Path(name).is_file() else None)
        if found:
            return found
    return None


def missing() -> str | None:
    """Why a browser cannot be driven here (``None`` when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if executable() is None:
        return "no Chromium found (apt-get install chromium, or name one in $ANALYSIS_CHROMIUM)"
    return None


class Browser:
    """One Chromium with one page; console errors, page errors and requests are recorded per page."""

    def __init__(self, binary: str | None = None):
        from playwright.sync_api import sync_playwright

        self._driver = sync_playwright().start()
        try:
            self._browser = self._driver.chromium.launch(executable_path=binary or executable(), args=list(FLAGS))
        except Exception:
            self._driver.stop()
            raise
        self._errors: list[str] = []
        self._requests: list[str] = []
        self.context = self._browser.new_context(viewport=VIEWPORT, device_scale_factor=1,
                                                 service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self._errors.append(f"page error: {error}"))

    def _route(self, route) -> None:
        url = route.request.url
        self._requests.append(url)
        if url.startswith(LOCAL):
            route.continue_()
        else:
            route.abort()

    def _console(self, message) -> None:
        if message.type in ("error", "assert"):
            self._errors.append(f"console {message.type}: {message.text}")

    def open(self, url: str) -> None:
        self._errors.clear()
        self._requests.clear()
        self.page.goto(url, wait_until="load")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions seen since the page was opened."""
        return list(self._errors)

    def remote_requests(self) -> list[str]:
        """Every URL asked for that is not local (all refused)."""
        return [url for url in self._requests if not url.startswith(LOCAL)]

    def seen(self, locator) -> dict:
        """:data:`SEEN` for the first element of ``locator``."""
        return locator.first.evaluate(SEEN)

    def fonts_used(self, selector: str) -> list[tuple[str, bool, int]]:
        """The fonts that draw the text of the first element matching ``selector``:
        (family inside the font file, is a web font, glyphs drawn)."""
        cdp = self.context.new_cdp_session(self.page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            if not node:
                raise LookupError(selector)
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        finally:
            cdp.detach()
        return [(f["familyName"], f["isCustomFont"], f["glyphCount"]) for f in fonts]

    def screenshot(self, path: Path, *, full: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full)
        return path

    def close(self) -> None:
        try:
            self.context.close()
            self._browser.close()
        finally:
            self._driver.stop()
