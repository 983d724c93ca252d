"""The visitor pages as a phone and a desktop show them (issue 17): at 360, 390 and
1280 px wide, on the home, browse, search, profile (individual and collective),
exhibition list, exhibition and honour pages —

- axe-core (vendored under tests/vendor/, served to tests only) finds no serious
  or critical violation;
- every control outside running text is at least 44 × 44 px;
- a portrait is never drawn narrower than 48 px;
- no text box that wraps is narrower than 6 characters;
- the keyboard focus ring is visible and has at least 3:1 contrast.

One Chromium, one page per width, reused across the pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parents[1] / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WIDTHS = (360, 390, 1280)

pytestmark = pytest.mark.browser

# Controls, and whether each sits in running text: its block's own text (controls
# left out) is a sentence, more than RUNNING characters (WCAG 2.5.8's inline exception).
TARGETS = """
(running) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  const block = el => { let e = el.parentElement; while (e && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement; return e; };
  const ownText = b => { const c = b.cloneNode(true); c.querySelectorAll(selector).forEach(x => x.remove()); return c.textContent.replace(/\\s+/g, ''); };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (!el.getClientRects().length || r.right <= 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('[hidden], details:not([open]) > :not(summary)')) continue;
    const b = block(el);
    if (b && ownText(b).length > running) continue;
    if (r.width < 43.5 || r.height < 43.5)
      small.push(`${el.tagName.toLowerCase()}.${el.className} “${(el.textContent || el.value || '').trim().slice(0, 16)}” ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return small;
}
"""

PORTRAITS = """
() => [...document.querySelectorAll('.thumb, .portrait')]
  .filter(e => e.getClientRects().length)
  .map(e => [e.className, (e.querySelector('img') || e).getBoundingClientRect().width])
"""

NARROW_TEXT = """
() => {
  const narrow = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').replace(/\\s+/g, '');
    if (text.length < 6 || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect(), size = parseFloat(getComputedStyle(el).fontSize);
    const tops = new Set();
    for (const n of el.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const box of range.getClientRects()) if (box.width > 0) tops.add(Math.round(box.top / 4));
    }
    if (tops.size > 1 && r.width < size * 6 * 0.95)
      narrow.push(`${el.tagName.toLowerCase()}.${el.className} “${text.slice(0, 12)}” ${Math.round(r.width)}px`);
  }
  return narrow;
}
"""

FOCUS_RING = """
() => {
  const parse = c => (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const behind = el => { for (let e = el.parentElement; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0.5) return c; } return [255, 255, 255]; };
  const el = document.activeElement, s = getComputedStyle(el);
  if (!el || el === document.body) return null;
  const [a, b] = [lum(parse(s.outlineColor)), lum(behind(el))].sort((x, y) => y - x);
  return {what: `${el.tagName.toLowerCase()} “${(el.textContent || '').trim().slice(0, 12)}”`,
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), ratio: (a + 0.05) / (b + 0.05)};
}
"""


@pytest.fixture(scope="module")
def pages(demo_archive, demo_ids, demo_manifest):
    """The pages under test, by name."""
    db = demo_archive.db()
    individual = demo_ids["P0001"]
    title = db.execute(
        "SELECT title FROM honours WHERE honoree_id = ? AND revoked = 0 ORDER BY year LIMIT 1",
        [individual],
    ).fetchone()[0]
    exhibition = db.execute(
        "SELECT id FROM exhibitions WHERE status = 'published' ORDER BY position, id LIMIT 1"
    ).fetchone()[0]
    return {
        "home": "/",
        "browse": "/honorees",
        "search": "/search?q=" + quote("车间"),
        "profile": f"/honorees/{individual}",
        "collective": f"/honorees/{demo_ids[demo_manifest['long_name_ref']]}",
        "exhibitions": "/exhibitions",
        "exhibition": f"/exhibitions/{exhibition}",
        "honour": "/honours/" + quote(title),
    }


@pytest.fixture(scope="module")
def windows(live_server):
    """One Chromium; a page per width (phones with touch), axe-core loaded into each
    document by the test harness, never by the site."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        found = {}
        for width in WIDTHS:
            phone = width < 700
            context = browser.new_context(
                viewport={"width": width, "height": 800},
                is_mobile=phone,
                has_touch=phone,
                locale="zh-CN",
            )
            context.add_init_script(path=str(AXE))
            found[width] = context.new_page()
        yield found
        browser.close()


def _open(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violations(windows, live_server, pages, width):
    page = windows[width]
    found = {}
    for name, path in pages.items():
        _open(page, live_server + path)
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: "
            "['violations']})).violations.map(v => [v.id, v.impact, "
            "v.nodes.length, v.nodes[0].target.join(' ')])"
        )
        serious = [v for v in result if v[1] in ("serious", "critical")]
        if serious:
            found[name] = serious
    assert not found, found


@pytest.mark.parametrize("width", WIDTHS)
def test_controls_are_44_px_and_portraits_48_px_and_text_never_a_column(
    windows, live_server, pages, width
):
    page = windows[width]
    problems = {}
    portraits_seen = 0
    for name, path in pages.items():
        _open(page, live_server + path)
        small = page.evaluate(TARGETS, 20)
        portraits = page.evaluate(PORTRAITS)
        portraits_seen += len(portraits)
        thin = [p for p in portraits if p[1] < 48]
        narrow = page.evaluate(NARROW_TEXT)
        for label, items in (("targets", small), ("portraits", thin), ("narrow", narrow)):
            if items:
                problems[f"{name} {label}"] = items[:8]
    assert portraits_seen >= 20  # the cards and profiles were really measured
    assert not problems, problems


def test_the_focus_ring_is_visible_with_3_to_1_contrast(windows, live_server, pages):
    page = windows[390]
    weak = []
    for name in ("home", "profile", "exhibition"):
        _open(page, live_server + pages[name])
        for _ in range(30):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring is None:
                break
            if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
                weak.append((name, ring))
    assert not weak, weak[:6]
