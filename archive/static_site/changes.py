"""What changed since the last export, and which files of the last run that
redraws: those showing a changed honoree, every list a changed card is or was
in, and the exhibition pages when an exhibition changed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Changes:
    honorees: set[int]  # honorees whose public record changed (or appeared, or went)
    cards: set[int]  # of those, the ones whose card in lists changed
    facet_values: set[tuple[str, str]]  # the facets those cards have or had
    units: set[str]  # the units those cards name or named
    exhibitions: bool  # an exhibition (title, order, membership…) changed
    listed: bool = True  # what the CSV of every record shows changed

    @classmethod
    def between(cls, old: dict[int, dict], new: dict[int, dict], exhibitions: bool) -> Changes:
        """Compare the records of the last run with today's (``records.public``)."""
        honorees = {
            i for i in set(old) | set(new) if old.get(i, {}).get("fp") != new.get(i, {}).get("fp")
        }
        cards = {i for i in honorees if old.get(i, {}).get("card") != new.get(i, {}).get("card")}
        facet_values: set[tuple[str, str]] = set()
        units: set[str] = set()
        for record in _records_of(cards, old, new):
            facet_values.update((k, str(v)) for k, vs in record["facets"].items() for v in vs)
            units.add(record["unit"])
        units.discard("")
        listed = any(old.get(i, {}).get("csv") != new.get(i, {}).get("csv") for i in honorees)
        return cls(honorees, cards, facet_values, units, exhibitions, listed)

    def redraws(self, entry: dict) -> bool:
        """Whether a file of the last run (its manifest entry) is to be drawn again.
        A list page shows its records' cards (and counts of their facets, which are
        in the card): it is drawn again for a changed card only, not for a story."""
        if entry.get("listing") is not None:
            return self._lists(entry["listing"])
        if entry.get("always"):  # the CSV of every record
            return self.listed
        return (
            bool(self.honorees & set(entry.get("deps", [])))
            or entry.get("unit") in self.units
            or (self.exhibitions and entry["url"].startswith("/exhibitions"))
        )

    def _lists(self, listing: list | None) -> bool:
        """A list page (``[]``: an unfiltered one, else its one facet) that shows
        or showed a changed card."""
        if listing is None or not self.cards:
            return False
        return listing == [] or tuple(listing) in self.facet_values


def _records_of(ids: set[int], old: dict[int, dict], new: dict[int, dict]) -> list[dict]:
    """The last run's and today's record of each honoree, where there is one."""
    return [record for i in ids for record in (old.get(i), new.get(i)) if record]
