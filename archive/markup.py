"""Stories are Markdown written by curators: rendered, then sanitised with an
allow-list (nh3), so no script, handler or javascript: link survives."""

from __future__ import annotations

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
    return Markup(clean)
