"""Public pages are served from each process's cache until anything visible changes."""

import os

import pytest

from archive.catalogue import honorees
from archive.db import write


def test_a_change_shows_at_once_on_every_cached_page(client, empty_archive, make_honoree):
    honoree_id = make_honoree(name="缓存前")
    for url in [f"/honorees/{honoree_id}", "/honorees", "/sitemap.xml"]:
        client.get(url)
    assert "缓存前" in client.get("/honorees").get_data(as_text=True)
    db = empty_archive.db()
    with write(db):
        db.execute("UPDATE honorees SET name = '缓存后' WHERE id = ?", [honoree_id])
    # without telling anyone, the cached page is still what visitors get ...
    assert "缓存前" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    with write(db):
        honorees.note_change(db, honoree_id)  # ... as every real edit does, in its transaction
    for url in [f"/honorees/{honoree_id}", "/honorees", "/sitemap.xml"]:
        page = client.get(url).get_data(as_text=True)
        assert "缓存前" not in page, url
    assert "缓存后" in client.get("/honorees").get_data(as_text=True)


def test_withdrawing_a_cached_profile_gives_404_at_once(client, empty_archive, make_honoree):
    honoree_id = make_honoree(name="将撤回")
    assert client.get(f"/honorees/{honoree_id}").status_code == 200
    db = empty_archive.db()
    with write(db):
        db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [honoree_id])
        honorees.note_change(db, honoree_id)
    assert client.get(f"/honorees/{honoree_id}").status_code == 404


def test_cached_pages_keep_their_encoding_per_client(client, make_honoree):
    honoree_id = make_honoree(name="编码")
    url = f"/honorees/{honoree_id}"
    for _ in range(2):
        assert (
            client.get(url, headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"
        )
        assert (
            client.get(url, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"]
            == "gzip"
        )
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers and "编码" in plain.get_data(as_text=True)


def test_workers_share_rendered_pages_and_old_generations_are_removed(empty_archive, make_honoree):
    """Two app instances stand for two gunicorn workers."""
    honoree_id = make_honoree(name="共享页面")
    first, second = empty_archive.app(), empty_archive.app()
    url = f"/honorees/{honoree_id}"
    body = first.test_client().get(url).get_data()
    folder = empty_archive.root / "instance" / "page_cache"
    generations = [p.name for p in folder.iterdir()]
    assert len(generations) == 1 and any((folder / generations[0]).iterdir())
    assert second.test_client().get(url).get_data() == body
    db = empty_archive.db()
    with write(db):
        db.execute("UPDATE honorees SET name = '已改名' WHERE id = ?", [honoree_id])
        honorees.note_change(db, honoree_id)
    assert "已改名" in second.test_client().get(url).get_data(as_text=True)
    assert [p.name for p in folder.iterdir()] != generations  # the old folder is gone


@pytest.mark.slow  # 2,000 pages rendered
def test_the_shared_page_folder_stays_bounded_under_2000_query_strings(empty_archive, make_honoree):
    """Every distinct query string is a page of its own; the least recently used go
    once the folder passes PAGE_CACHE_DISK_MB."""
    make_honoree(name="缓存人")
    limit = 0.25  # MB: a few dozen browse pages
    app = empty_archive.app(PAGE_CACHE_DISK_MB=limit)
    client = app.test_client()
    folder = empty_archive.root / "instance" / "page_cache"

    def size() -> int:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    largest = 0
    for n in range(2000):
        assert client.get(f"/honorees?utm={n}").status_code == 200
        if n % 50 == 0:
            largest = max(largest, size())
    largest = max(largest, size())
    assert largest <= limit * (1 << 20) * 1.06  # the limit plus one look's worth
    files = [f for f in folder.rglob("*") if f.is_file()]
    assert 20 < len(files) < 200 and not [f for f in files if f.name.endswith(".tmp")]


def test_the_least_recently_used_pages_go_first(tmp_path):
    from archive.web.page_cache import Entry, SharedPages

    pages = SharedPages(tmp_path, max_bytes=20_000)
    body = b"x" * 900
    for n in range(15):
        pages.put((f"/p{n}", ""), Entry(1, 200, body, []))
    for n in range(5):
        path = pages._path((f"/p{n}", ""), 1)
        os.utime(path, (1000 + n, 1000 + n))  # written long ago …
    assert pages.get(("/p0", ""), 1) is not None  # … but /p0 was just read
    for n in range(15, 25):
        pages.put((f"/p{n}", ""), Entry(1, 200, body, []))
    pages.evict()  # as the next write past a twentieth of the limit would
    assert pages.get(("/p0", ""), 1) is not None
    assert all(pages.get((f"/p{n}", ""), 1) is None for n in range(1, 5))
    assert sum(f.stat().st_size for f in (tmp_path / "1").iterdir()) <= 20_000


def test_pages_rendered_by_an_earlier_deployment_are_not_served(empty_archive, make_honoree):
    """The shared pages outlive a deployment; a page is reused only by the code that
    rendered it (templates changed, the content did not)."""
    honoree_id = make_honoree(name="部署测试")
    url = f"/honorees/{honoree_id}"
    first = empty_archive.app()
    assert "部署测试" in first.test_client().get(url).get_data(as_text=True)
    folder = empty_archive.root / "instance" / "page_cache"
    (page,) = [p for p in folder.rglob("*") if p.is_file()]
    head, _, body = page.read_bytes().partition(b"\n")
    page.write_bytes(head + b"\n" + body.replace("部署测试".encode(), "旧代码的页".encode()))
    same_code = empty_archive.app()
    assert "旧代码的页" in same_code.test_client().get(url).get_data(as_text=True)
    redeployed = empty_archive.app()
    redeployed.extensions["page_cache_code"] = "another deployment"
    text = redeployed.test_client().get(url).get_data(as_text=True)
    assert "部署测试" in text and "旧代码的页" not in text


def test_the_code_version_follows_any_template_or_module(tmp_path):
    from archive.web.page_cache import code_version

    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    template = package / "templates" / "page.html"
    template.write_text("<p>一</p>", encoding="utf-8")
    before = code_version(package)
    template.write_text("<p>一二</p>", encoding="utf-8")
    code_version.cache_clear()
    assert code_version(package) != before
