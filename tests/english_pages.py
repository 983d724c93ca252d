"""What an English page may show in Chinese: only record content marked as such.

``untranslated(html)`` lists every run of Chinese characters on a page that is not
inside an element whose ``lang`` is Chinese (``zh``, ``zh-CN`` …): text, the
attributes people read or hear (``title``, ``alt``, ``aria-label``, ``placeholder``,
a button's ``value``, a meta description's ``content``) and the interface strings a
page hands its scripts (``<script type="application/json">``). Structured data for
search engines (``application/ld+json``) is data, not interface, and is skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label", "content")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def _chinese(lang: str | None) -> bool:
    return bool(lang) and lang.lower().split("-")[0] == "zh"


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []  # (tag, lang in force)
        self.found: list[str] = []
        self.skip = 0  # inside a script or style that is not interface text

    def _lang(self) -> str | None:
        return self.stack[-1][1] if self.stack else None

    def _where(self) -> str:
        return "/".join(tag for tag, _ in self.stack[-3:])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang", self._lang())
        if not _chinese(lang):
            for name in READ_ATTRIBUTES:
                value = attrs.get(name)
                if name == "content" and tag != "meta":
                    continue
                if value and (name != "value") and CJK.search(value):
                    self.found.append(f"<{tag} {name}>: {value[:40]}")
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
                if CJK.search(attrs.get("value") or ""):
                    self.found.append(f"<input value>: {attrs['value'][:40]}")
        if tag in VOID:
            return
        if tag in ("script", "style"):
            kind = (attrs.get("type") or "").lower()
            if tag == "style" or kind != "application/json":
                self.skip += 1
                self.stack.append((tag + ":skip", lang))
                return
        self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            name = self.stack[i][0]
            if name.split(":")[0] == tag:
                for popped, _ in self.stack[i:]:
                    if popped.endswith(":skip"):
                        self.skip -= 1
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.skip or _chinese(self._lang()):
            return
        for run in CJK.findall(data):
            if run.strip("\u3000"):
                self.found.append(f"{self._where()}: {run[:40]} (in “{data.strip()[:60]}”)")


def untranslated(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
