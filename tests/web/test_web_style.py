"""The web's honours style: tokens drawn from the print style, a theme recolouring an
exhibition's pages and posters alike, readable derived colours, Chinese quotation
marks in stories."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive.catalogue import markup
from archive.db import write
from archive.halls import themes
from archive.printing.print_style import Palette, print_style, site_style
from archive.web import tokens as web_style


def test_site_tokens_are_the_print_palette():
    tokens = web_style.tokens(site_style({}))
    palette = Palette()
    assert tokens["gold"] == web_style.hexa(palette.gold)
    assert tokens["paper"] == web_style.hexa(palette.paper)
    assert tokens["red"] == web_style.hexa(palette.red)  # already readable: unchanged


@pytest.mark.parametrize("base", sorted(themes.BUILT_IN))
def test_every_themes_text_colours_read_at_4_5_and_its_focus_ring_at_3(base):
    style = print_style({"theme": json.dumps(themes.built_in(base))}, {})
    tokens = {k: v for k, v in web_style.tokens(style).items() if v.startswith("#")}
    rgb = {k: themes.rgb(v) for k, v in tokens.items()}
    for text in ("red", "red-deep", "gold-text", "ink", "muted"):
        for ground in ("paper", "white", "panel"):
            assert web_style.contrast(rgb[text], rgb[ground]) >= 4.5, (base, text, ground)
    assert web_style.contrast(rgb["white"], rgb["band"]) >= 4.5
    assert web_style.contrast(rgb["on-band"], rgb["band"]) >= 4.5
    assert web_style.contrast(rgb["focus"], rgb["paper"]) >= 3
    assert web_style.contrast(rgb["focus-on-band"], rgb["band"]) >= 3


def test_a_hall_theme_dresses_the_posters_too():
    blue = themes.built_in("coastal-blue")
    style = print_style({"theme": json.dumps(blue)}, {})
    assert style.palette.red == themes.rgb(blue["palette"]["accent"])
    assert style.palette.gold == themes.rgb(blue["palette"]["trim"])
    assert print_style(None, {}).palette == Palette()


def test_site_css_carries_the_current_tokens():
    """The one stylesheet every page loads holds the tokens generated from the print
    style: a palette changed in Python and not regenerated fails here."""
    site_css = (Path(web_style.__file__).parents[1] / "static" / "site.css").read_text("utf-8")
    assert web_style.with_site_tokens(site_css, site_style()) == site_css
    assert "--gold:#bf923e" in site_css


def profile_sheets(html: str) -> list[str]:
    return [
        re.sub(r"\?.*", "", href).rsplit("/", 1)[1]
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    ]


def test_a_profile_loads_one_stylesheet_and_the_inline_emblem(demo_client, demo_ids):
    home = demo_client.get("/").get_data(as_text=True)
    assert profile_sheets(home) == [
        "site.css",
        "theme.css",
        "exhibition.css",
    ]  # + the current exhibition
    profile = demo_client.get(f"/honorees/{demo_ids['P0001']}").get_data(as_text=True)
    assert profile_sheets(profile) == ["site.css"]
    assert 'class="emblem"' in home and "e-gold" in home  # the drawn emblem, inline


def test_an_exhibitions_theme_overrides_the_tokens_on_its_pages(demo_client, demo_archive):
    db = demo_archive.db()
    exhibition = db.execute(
        "SELECT id, theme FROM exhibitions WHERE status = 'published' ORDER BY id LIMIT 1"
    ).fetchone()
    try:
        with write(db):
            db.execute(
                "UPDATE exhibitions SET theme = ? WHERE id = ?",
                [json.dumps(themes.built_in("coastal-blue")), exhibition[0]],
            )
        css = demo_client.get(f"/exhibitions/{exhibition[0]}/theme.css").get_data(as_text=True)
        assert ".themed{--red:#1f5d99" in css
    finally:
        with write(db):
            db.execute(
                "UPDATE exhibitions SET theme = ? WHERE id = ?", [exhibition[1], exhibition[0]]
            )


def test_a_configured_emblem_image_replaces_the_drawn_one(empty_archive, tmp_path):
    from PIL import Image

    path = tmp_path / "emblem.png"
    Image.new("RGB", (40, 44), (200, 0, 0)).save(path)
    client = empty_archive.app(EMBLEM_PATH=str(path)).test_client()
    home = client.get("/").get_data(as_text=True)
    src = re.search(r'<img class="emblem" src="([^"]+)"', home)[1]
    with client.get(src) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data() == path.read_bytes()
    assert client.get("/style/emblem.svg").status_code == 404


def test_home_opens_with_the_current_exhibition(demo_client, demo_archive):
    first = (
        demo_archive.db()
        .execute("SELECT title FROM exhibitions WHERE status = 'published' ORDER BY position, id")
        .fetchone()[0]
    )
    html = demo_client.get("/").get_data(as_text=True)
    assert html.index("正在展出") < html.index("收录概况")
    assert f'<h2 id="current-h">{first}</h2>' in html


@pytest.mark.parametrize(
    "source, shown",
    [
        ('他说"问题就是课题"。', "他说“问题就是课题”。"),
        ("\"一句'引文'在内\"", "“一句‘引文’在内”"),
        ('It\'s "fine"', "It’s “fine”"),
        (
            "the workers' union and the 'model' workers",
            "the workers’ union and the ‘model’ workers",
        ),
        ("'Craftsmen' of the 1990s' mills", "‘Craftsmen’ of the 1990s’ mills"),
    ],
)
def test_straight_quotes_are_paired_as_chinese_quotation_marks(source, shown):
    assert markup.pair_quotes(source) == shown
    assert markup.render(source) == f"<p>{shown}</p>\n"


def test_quotes_in_a_story_pair_per_paragraph_and_never_touch_markup():
    html = markup.render('他说"开头\n\n另一段"结尾 [链接](https://example.org/"x "题")')
    assert "<p>他说“开头</p>" in html and "<p>另一段“结尾" in html  # no pair across paragraphs
    assert 'href="https://example.org/%22x"' in html


def test_a_profile_shows_chinese_quotes_in_its_story_quote_and_summary(client, make_honoree):
    honoree_id = make_honoree(story='他常说"干就完了"。', quote='"匠心"二字', summary='人称"铁人"')
    html = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "“干就完了”" in html and "“匠心”二字" in html and "人称“铁人”" in html
    assert '"干就完了"' not in html and "&#34;干就完了&#34;" not in html


def test_a_portraits_credit_is_shown_under_it(demo_client, demo_archive):
    honoree_id, credit = (
        demo_archive.db()
        .execute(
            "SELECT p.honoree_id, p.credit FROM photos p JOIN honorees h ON h.id = p.honoree_id "
            "WHERE p.is_portrait = 1 AND p.credit != '' AND h.status = 'published' "
            "ORDER BY p.id LIMIT 1"
        )
        .fetchone()
    )
    html = demo_client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert f'<span class="credit">摄影：{credit}</span>' in html
