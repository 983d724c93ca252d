"""The honours style on the web: the print style's palette and emblem
(``archive/printing/print_style.py``, the one source of truth) turned into CSS custom
properties and an inline SVG, plus the web's own type scale. Documented in
docs/design.md (web tokens). No Flask here.

Colours used for text are derived, not taken as they are: a theme may pick a
gold or an orange that reads well on a wall but not as small type on paper, so
each text colour is darkened until it reaches 4.5:1 on every background it sits
on, and the focus ring until it reaches 3:1.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from archive.printing.print_style import RGB, Style, emblem_shapes

# rem; phones first, the larger steps grow on wide screens (site.css)
TYPE_SCALE = {
    "step--1": 0.875,
    "step-0": 1.0,
    "step-1": 1.125,
    "step-2": 1.3,
    "step-3": 1.6,
    "step-4": 1.9,
}
FOCUS = (26, 95, 180)  # a blue that no honours colour is mistaken for
TEXT_RATIO = 4.5  # WCAG AA for text
RING_RATIO = 3.0  # WCAG 2.2 focus appearance / non-text contrast


def luminance(colour: RGB) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(a: RGB, b: RGB, share_of_b: float) -> RGB:
    return tuple(round(x + (y - x) * share_of_b) for x, y in zip(a, b, strict=True))


def readable(colour: RGB, backgrounds: list[RGB], ratio: float = TEXT_RATIO) -> RGB:
    """``colour`` darkened towards black (in small steps) until it reaches
    ``ratio`` against every background; unchanged when it already does."""
    for step in range(41):
        candidate = mix(colour, (0, 0, 0), step / 40)
        if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return (0, 0, 0)


def hexa(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def tokens(style: Style) -> dict[str, str]:
    """Every web token by name (without the leading ``--``)."""
    p = style.palette
    panel = mix(p.paper, p.gold, 0.10)
    light = [p.paper, p.white, panel]  # what text sits on in <main>
    band = readable(p.red_deep, [p.white, p.gold_light])  # header and footer band
    colours = {
        "red": readable(p.red, light),
        "red-deep": readable(p.red_deep, light),
        "gold": p.gold,
        "gold-text": readable(p.gold, light),
        "gold-light": p.gold_light,
        "ink": readable(p.ink, light),
        "muted": readable(p.muted, light),
        "paper": p.paper,
        "white": p.white,
        "panel": panel,
        "line": mix(p.paper, p.gold, 0.35),
        "band": band,
        "on-band": readable(p.gold_light, [band])
        if contrast(p.gold_light, band) >= TEXT_RATIO
        else p.white,
        "focus": readable(FOCUS, light, RING_RATIO),
        "focus-on-band": p.gold_light if contrast(p.gold_light, band) >= RING_RATIO else p.white,
    }
    found = {name: hexa(value) for name, value in colours.items()}
    found.update({name: f"{size}rem" for name, size in TYPE_SCALE.items()})
    return found


def css(style: Style, selector: str = ":root") -> str:
    """The tokens as one CSS rule of custom properties."""
    return selector + "{" + ";".join(f"--{k}:{v}" for k, v in tokens(style).items()) + "}\n"


def emblem_svg(label: str = "", symbol_id: str = "site-emblem") -> Markup:
    """The drawn emblem as inline SVG whose parts are coloured by CSS classes
    (``e-red``, ``e-gold``), so a theme's tokens recolour it without another file.
    Its shapes are a <symbol> (``symbol_id``) that ``emblem_use`` draws again."""
    parts = []
    for kind, colour, geometry in emblem_shapes():
        if kind == "disc":
            cx, cy, r = (round(v * 100, 1) for v in geometry)
            parts.append(f'<circle class="e-{colour}" cx="{cx:g}" cy="{cy:g}" r="{r:g}"/>')
        else:
            points = " ".join(f"{round(x * 100):d},{round(y * 100):d}" for x, y in geometry)
            parts.append(f'<polygon class="e-{colour}" points="{points}"/>')
    return Markup(
        f'<svg class="emblem" viewBox="0 0 100 110" {_role(label)} focusable="false">'
        f'<symbol id="{symbol_id}" viewBox="0 0 100 110">'
        + "".join(parts)
        + f'</symbol><use href="#{symbol_id}"/></svg>'
    )


def emblem_use(label: str = "", symbol_id: str = "site-emblem") -> Markup:
    """The emblem drawn again from the symbol ``emblem_svg`` put on the page."""
    return Markup(
        f'<svg class="emblem" viewBox="0 0 100 110" {_role(label)} focusable="false">'
        f'<use href="#{symbol_id}"/></svg>'
    )


SITE_CSS_START = "/* tokens: generated from archive/printing/print_style.py by `python -m archive.web.tokens`; do not edit */"
SITE_CSS_END = "/* end of tokens */"


def with_site_tokens(stylesheet: str, style: Style) -> str:
    """``stylesheet`` (site.css) with its generated token block replaced by the
    tokens of ``style``: the site's palette lives in Python and is copied into
    the one stylesheet every page loads (one request, served by nginx alone)."""
    start, end = stylesheet.index(SITE_CSS_START), stylesheet.index(SITE_CSS_END)
    return stylesheet[:start] + SITE_CSS_START + "\n" + css(style) + stylesheet[end:]


def _role(label: str) -> str:
    return f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'


if __name__ == "__main__":  # rewrite the token block of archive/static/site.css
    from pathlib import Path

    from archive.printing.print_style import site_style

    path = Path(__file__).parents[1] / "static" / "site.css"
    path.write_text(
        with_site_tokens(path.read_text(encoding="utf-8"), site_style()), encoding="utf-8"
    )
    print(f"{path}: tokens written")
