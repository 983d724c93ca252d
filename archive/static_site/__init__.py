"""The static edition (静态版): the whole public archive as files, for CDNs, hall
kiosks and preservation. ``export.py`` renders every public page through the app
and writes it with relative links (incrementally, by the content generation);
``manifest.py`` remembers what the last run made and what each file shows, and
``changes.py`` what changed since; ``redirects.py`` makes the QR addresses; ``search_index.py`` the static search;
``package.py`` the kiosk zip and the BagIt preservation package."""

from .export import Options, Report, export_site

__all__ = ["Options", "Report", "export_site"]
