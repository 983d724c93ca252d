"""Phones first, checked in a real browser: headless Chromium (Debian's) through
Playwright at 360×780, against gunicorn serving the demo archive."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}

pytestmark = pytest.mark.browser

CONTRAST_SCRIPT = """
() => {
  function parse(c) { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : [0,0,0,0]; }
  function lum(rgb) {
    const [r,g,b] = rgb.slice(0,3).map(v => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); });
    return 0.2126*r + 0.7152*g + 0.0722*b;
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c;
    }
    return [255,255,255];
  }
  const worst = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('[hidden]') || !el.getClientRects().length) continue;
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) worst.push([el.tagName, el.className, el.textContent.trim().slice(0, 20), ratio.toFixed(2)]);
  }
  return worst;
}
"""


@pytest.fixture(scope="module")
def browser():
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
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        bypass_csp=False,
        locale="zh-CN",
    )
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.requested = requested
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def only_own_host(page, live_server):
    host = urlparse(live_server).netloc
    others = [
        u
        for u in page.requested
        if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host
    ]
    assert not others, others


def test_longest_collective_name_fits_a_phone(phone, live_server, demo_manifest, demo_ids):
    phone.goto(f"{live_server}/honorees/{demo_ids[demo_manifest['long_name_ref']]}")
    assert len(phone.locator("h1").inner_text()) >= 40
    assert no_horizontal_scroll(phone)
    only_own_host(phone, live_server)


def test_story_with_a_long_url_fits_a_phone(phone, live_server, demo_manifest, demo_ids):
    phone.goto(f"{live_server}/honorees/{demo_ids[demo_manifest['long_url_ref']]}")
    assert "https://" in phone.locator(".story").inner_text()
    assert no_horizontal_scroll(phone)


@pytest.mark.parametrize("path", ["/", "/honorees", "/exhibitions", "/search?q=张"])
def test_pages_fit_a_phone_at_130_percent_text(phone, live_server, path):
    phone.goto(live_server + path)
    phone.evaluate("document.documentElement.style.fontSize = '130%'")
    assert no_horizontal_scroll(phone)
    only_own_host(phone, live_server)


def test_profiles_fit_at_130_percent_text(phone, live_server, demo_manifest, demo_ids):
    for ref in [demo_manifest["long_name_ref"], demo_manifest["long_url_ref"], "P0001", "C0001"]:
        phone.goto(f"{live_server}/honorees/{demo_ids[ref]}")
        phone.evaluate("document.documentElement.style.fontSize = '130%'")
        assert no_horizontal_scroll(phone), ref


def test_large_text_mode_is_remembered_and_still_fits(phone, live_server):
    phone.goto(f"{live_server}/honorees")
    before = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.get_by_role("button", name="大字").click()
    phone.reload()
    after = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.2
    assert phone.get_by_role("button", name="标准字").get_attribute("aria-pressed") == "true"
    assert no_horizontal_scroll(phone)


def test_text_contrast_is_at_least_4_5(phone, live_server, demo_ids):
    for path in ["/", "/honorees?level=national", f"/honorees/{demo_ids['P0001']}?ex=1"]:
        phone.goto(live_server + path)
        assert phone.evaluate(CONTRAST_SCRIPT) == [], path


def test_keyboard_reaches_the_skip_link_then_navigation(phone, live_server):
    phone.goto(live_server + "/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "跳到正文"
    phone.keyboard.press("Enter")
    assert phone.evaluate("location.hash") == "#main"


def test_every_image_has_alt_text_and_every_control_a_label(phone, live_server, demo_ids):
    for path in ["/", "/honorees", f"/honorees/{demo_ids['C0001']}", "/search"]:
        phone.goto(live_server + path)
        assert (
            phone.evaluate("[...document.images].filter(i => !i.hasAttribute('alt')).length") == 0
        )
        unlabeled = phone.evaluate("""[...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length""")
        assert unlabeled == 0, path


def test_scanning_a_code_on_a_slow_link_shows_name_and_portrait_after_few_round_trips(
    browser, live_server, demo_archive, demo_ids
):
    """1.6 Mbps down, 300 ms round trip, a cold cache: from opening /q/<code>, the
    name and the portrait are shown after the redirect, the page, its stylesheet
    and the portrait (no blocking script, no font), in few bytes.
    (The time it takes is measured in bench/page_weight.py, not here.)"""
    db = demo_archive.db()
    honoree_id = demo_ids["P0002"]
    code, name = db.execute("SELECT code, name FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=3, is_mobile=True
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 300,
            "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": 750_000 / 8,
        },
    )
    received: list[tuple[str, str, int]] = []
    cdp.on(
        "Network.responseReceived", lambda e: received.append((e["type"], e["response"]["url"], 0))
    )
    cdp.on("Network.loadingFinished", lambda e: received.append(("", "", e["encodedDataLength"])))
    try:
        page.goto(f"{live_server}/q/{code.lower()}", wait_until="commit")
        page.wait_for_function(
            """name => {
                const h1 = document.querySelector('h1.name');
                const img = document.querySelector('.portrait img');
                return h1 && h1.textContent.trim() === name && img && img.complete
                    && img.naturalWidth > 0;
            }""",
            arg=name,
            timeout=60_000,
            polling=50,
        )
        before = list(received)
        blocking = page.evaluate("""[...document.scripts].filter(s => s.src && !s.defer
            && !s.async && s.type !== 'module').length""")
    finally:
        context.close()
    kinds = [kind for kind, url, _ in before if url]
    assert kinds.count("Document") == 1 and kinds.count("Stylesheet") <= 1, kinds
    assert kinds.count("Image") <= 2 and "Font" not in kinds and blocking == 0, kinds
    assert all(url.startswith(live_server) for _, url, _ in before if url)
    assert sum(size for _, _, size in before) <= 60 * 1024


def test_profile_page_weight_is_within_budget(browser, live_server, demo_archive):
    """Byte budgets (not timings): the heaviest stories in the demo."""
    from bench.page_weight import BUDGETS, measure

    db = demo_archive.db()
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM honorees WHERE status = 'published' ORDER BY length(story) DESC LIMIT 3"
        )
    ]
    for honoree_id in ids:
        result = measure(browser, f"{live_server}/honorees/{honoree_id}")
        assert result["html_encoding"] in ("br", "gzip")
        assert result["other_hosts"] == []
        for key, budget in BUDGETS.items():
            assert result[key] <= budget, (honoree_id, key, result[key])
        assert result["by_type"].get("Image", 0) > 0  # the portrait was part of the visit
