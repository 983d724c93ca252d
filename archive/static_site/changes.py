"""What changed since the last export: the honorees whose public record changed,
those of them whose card changed, the facets and units those cards have or had,
the facets whose counts changed, whether the CSV of every record or the
exhibitions changed. Which files that draws again is the manifest's question
(``Manifest.redrawn``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    honorees: set[int]  # honorees whose public record changed (or appeared, or went)
    cards: set[int]  # of those, the ones whose card in lists changed
    facet_values: set[tuple[str, str]]  # the facets those cards have or had
    units: set[str]  # the units those cards name or named
    exhibitions: bool  # an exhibition (title, order, membership…) changed
    listed: bool = True  # what the CSV of every record shows changed
    # facets of which a record gained or lost a value: a list filtered by one of
    # them counts that facet's values over every record (so a visitor can switch),
    # so every list filtered by it shows new counts
    counted: set[str] = field(default_factory=set)

    @classmethod
    def between(
        cls,
        old: dict[int, dict],
        new: dict[int, dict],
        old_details,
        exhibitions: bool,
    ) -> Changes:
        """Compare the last run's fingerprints (``Manifest.fingerprints``) with
        today's records (``records.public``); ``old_details(ids)``: the last run's
        facets and unit of these records (``Manifest.details``)."""
        honorees = {
            i for i in set(old) | set(new) if old.get(i, {}).get("fp") != new.get(i, {}).get("fp")
        }
        cards = {i for i in honorees if old.get(i, {}).get("card") != new.get(i, {}).get("card")}
        before = old_details(cards & set(old))
        facet_values: set[tuple[str, str]] = set()
        units: set[str] = set()
        counted: set[str] = set()
        for i in sorted(cards):
            pair = [r for r in (before.get(i), new.get(i)) if r]
            for record in pair:
                facet_values.update((k, str(v)) for k, vs in record["facets"].items() for v in vs)
                units.add(record["unit"])
            counted |= _facets_changed(
                before.get(i, {}).get("facets", {}), new.get(i, {}).get("facets", {})
            )
        units.discard("")
        listed = any(old.get(i, {}).get("csv") != new.get(i, {}).get("csv") for i in honorees)
        return cls(honorees, cards, facet_values, units, exhibitions, listed, counted)


def _facets_changed(old: dict, new: dict) -> set[str]:
    """The facets in which a record's values differ (a record that appears or
    goes has none on one side)."""
    return {k for k in set(old) | set(new) if set(old.get(k, ())) != set(new.get(k, ()))}
