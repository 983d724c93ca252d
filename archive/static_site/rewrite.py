"""Rewriting a rendered page of the live site into a page of the edition: every
address becomes a relative link to a file of the edition (or to the static search
page), addresses the edition does not hold lose their link, and the page learns
what the static search and the kiosk need. No Flask here."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from .paths import Target, classify, relative, root_of

ATTRIBUTE = re.compile(r'(\s)(href|src|action|poster|content)="([^"]*)"')
SRCSET = re.compile(r'(\s)srcset="([^"]*)"')
ANCHOR_UNLINK = re.compile(r"<a\s[^>]*data-edition-unlink[^>]*>(.*?)</a>", re.S)
HALL_CONFIG = re.compile(
    r'(<script type="application/json" id="hall-config">)(.*?)(</script>)', re.S
)
JSON_LD = re.compile(r'(<script type="application/ld\+json">)(.*?)(</script>)', re.S)
OTHERS = re.compile(
    r'(<section aria-labelledby="(?:unit|members)-h"|<section class="qr"'
    r'|<p class="member-of")'
)
SUGGEST = re.compile(r'\sdata-suggest="[^"]*"')


class Rewriter:
    """Rewrites pages of one edition; ``found`` collects every target linked."""

    def __init__(
        self,
        base_url: str,
        on_link: Callable[[Target], None],
        leave_out: Callable[[Target], bool] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.on_link = on_link
        self.leave_out = leave_out or (lambda target: False)  # files this edition omits

    def link(self, source: str, url: str) -> str | None:
        """The relative link for ``url`` from file ``source``; None when the
        edition does not hold it (the link is then dropped)."""
        if url.startswith("#") or url.startswith("data:") or not url:
            return url
        fragment = urlsplit(url).fragment
        target = classify(url.split("#", 1)[0], self.base_url)
        if target.kind == "outside":
            return url
        if target.kind == "gone" or self.leave_out(target):
            return None
        self.on_link(target)
        return relative(source, target.file, target.query, fragment)

    def page(self, source: str, body: str) -> str:
        body = SUGGEST.sub("", body)
        body = HALL_CONFIG.sub(lambda m: m[1] + self._hall_config(source, m[2]) + m[3], body)
        body = JSON_LD.sub(lambda m: m[1] + self._json_ld(source, m[2]) + m[3], body)

        def attribute(m: re.Match) -> str:
            space, name, raw = m.groups()
            value = html.unescape(raw)
            if name == "content" and not value.startswith(self.base_url + "/"):
                return m[0]
            if name != "content" and not value.startswith(("/", self.base_url + "/")):
                return m[0]
            new = self.link(source, value)
            if new is None:
                return f'{space}data-edition-unlink="{html.escape(value, quote=True)}"'
            return f'{space}{name}="{html.escape(new, quote=True)}"'

        def srcset(m: re.Match) -> str:
            items = []
            for item in m[2].split(","):
                url, _, width = item.strip().partition(" ")
                items.append(f"{self.link(source, html.unescape(url))} {width}".strip())
            return f'{m[1]}srcset="{html.escape(", ".join(items), quote=True)}"'

        body = ATTRIBUTE.sub(attribute, body)
        body = SRCSET.sub(srcset, body)
        # An address the edition does not hold (the back office, the API's live
        # documents) is shown as text: no broken link, no other host.
        return ANCHOR_UNLINK.sub(lambda m: f'<span class="live-only">{m[1]}</span>', body)

    def _hall_config(self, source: str, text: str) -> str:
        config = json.loads(html.unescape(text) if "&#" in text else text)
        for scene in config.get("scenes", {}).values():
            # the tiles' folder: a prefix, not a file; its files are listed by the exporter
            scene["base"] = relative(source, scene["base"].lstrip("/"))
            for spot in scene.get("hotspots", []):
                if spot.get("url"):
                    spot["url"] = self.link(source, spot["url"]) or ""
                if spot.get("audio"):
                    spot["audio"] = self.link(source, spot["audio"]) or ""
        return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")

    def _json_ld(self, source: str, text: str) -> str:
        def replace(m: re.Match) -> str:
            new = self.link(source, json.loads(m[0]))
            return json.dumps(new if new is not None else "", ensure_ascii=False)

        pattern = re.compile(r'"' + re.escape(self.base_url) + r'/[^"]*"')
        return pattern.sub(replace, text)


def annotate_profile(body: str, fields: dict) -> str:
    """Mark a profile for Pagefind: its article is the indexed body; hidden
    elements carry every pinyin reading and the initials (so ``zhang``, ``zwd``
    and a surname's other reading find the person) and the facets as filters."""
    words = " ".join(fields["words"])
    filters = "".join(
        f'<span data-pagefind-filter="{name}">{html.escape(str(value))}</span>'
        for name, values in fields["filters"].items()
        for value in values
    )
    meta = "".join(
        f'<span data-pagefind-meta="{name}">{html.escape(str(value))}</span>'
        for name, value in fields["meta"].items()
        if value
    )
    more = " ".join(fields.get("more", []))  # the unit's pieces: found, but below names
    hidden = (
        f"<div hidden data-edition-search>"
        f'<p data-pagefind-weight="9">{html.escape(words)}</p>'
        f'<p data-pagefind-weight="2">{html.escape(more)}</p>{filters}{meta}</div>'
    )
    body = body.replace('<article class="profile', '<article data-pagefind-body class="profile', 1)
    body = body.replace('<h1 class="name">', '<h1 class="name" data-pagefind-weight="10">', 1)
    # other people's names (colleagues, members, the collective) and the QR block are
    # this page's links, not its words: indexed, they put this page above those people's
    body = OTHERS.sub(lambda m: m[1] + ' data-pagefind-ignore="all"', body)
    return body.replace("</article>", hidden + "</article>", 1)


def kiosk(body: str, source: str, idle_minutes: float) -> str:
    """Kiosk pages: a class on <html>, the home page's address and the idle time
    for kiosk.js, and its stylesheet (large touch targets, external links hidden)."""
    root = root_of(source)
    body = body.replace(
        '<html lang="zh-CN">',
        f'<html lang="zh-CN" class="kiosk" data-home="{root}index.html" '
        f'data-idle-minutes="{idle_minutes:g}">',
        1,
    )
    assets = (
        f'<link rel="stylesheet" href="{root}static/edition/kiosk.css">'
        f'<script src="{root}static/edition/kiosk.js" defer></script>'
    )
    return body.replace("</head>", assets + "</head>", 1)
