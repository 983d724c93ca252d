"""Stories are Markdown written by curators: rendered, then sanitised with an
allow-list (nh3), so no script, handler or javascript: link survives. Straight
quotes typed (or pasted) into the text are shown as Chinese quotation marks
(“” ‘’), paired within each paragraph."""

from __future__ import annotations

import re

import mistune
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

_markdown = mistune.create_markdown(escape=True, plugins=["strikethrough"])


def render(text: str | None) -> Markup:
    html = _markdown(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(pair_quotes_html(clean))


_TAG = re.compile(r"(<[^>]*>)")
_BLOCK = re.compile(r"^</?(p|li|ul|ol|blockquote|h3|h4|br)\b", re.IGNORECASE)
_STRAIGHT = re.compile(r"&quot;|&#34;|&#x22;|&#39;|&#x27;|[\"']")
_LETTER = re.compile(r"[A-Za-z0-9]")


class _Quotes:
    """Straight quotes made curly, each opening one paired with the next closing one."""

    def __init__(self) -> None:
        self.open = {'"': False, "'": False}

    def reset(self) -> None:
        self.open = {'"': False, "'": False}

    def text(self, text: str, entities: bool = False) -> str:
        pattern = _STRAIGHT if entities else re.compile(r"[\"']")
        plain = {"&quot;": '"', "&#34;": '"', "&#x22;": '"', "&#39;": "'", "&#x27;": "'"}
        out, last = [], 0
        for match in pattern.finditer(text):
            mark = plain.get(match[0], match[0])
            before = text[match.start() - 1] if match.start() else ""
            after = text[match.end()] if match.end() < len(text) else ""
            out.append(text[last : match.start()])
            if (
                mark == "'"
                and _LETTER.match(before)
                and (_LETTER.match(after) or not self.open["'"])
            ):
                out.append("’")  # an apostrophe (don't, the workers'), not a quotation
            else:
                opening = not self.open[mark]
                self.open[mark] = opening
                out.append(("“" if opening else "”") if mark == '"' else ("‘" if opening else "’"))
            last = match.end()
        out.append(text[last:])
        return "".join(out)


def pair_quotes(text: str | None) -> str:
    """Plain text with its straight quotes as Chinese quotation marks (“” ‘’)."""
    return _Quotes().text(text or "")


def pair_quotes_html(html: str) -> str:
    """The same inside HTML: text between tags only, never in tags or attributes;
    pairs do not run across paragraphs or list items."""
    quotes = _Quotes()
    parts = _TAG.split(html)
    for i, part in enumerate(parts):
        if i % 2:
            if _BLOCK.match(part):
                quotes.reset()
        elif part:
            parts[i] = quotes.text(part, entities=True)
    return "".join(parts)
