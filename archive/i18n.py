"""Marking text for translation where it is written, translating where it is shown.

Visitors' interface strings are written in Chinese (the archive's language) and
translated into English by gettext (``archive/translations``, ``make messages``).
A template or view translates with ``_()`` (Flask-Babel's ``gettext``) at the moment
it renders. Text defined once in a module that knows nothing of requests (a search
notice, a label table) is marked with ``N_`` so that ``make messages`` extracts it,
stays a plain Chinese ``str`` everywhere else (logs, tests, the back office), and is
translated by whoever shows it to a visitor: ``_(fallback.NOTICE)``."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for "no-op"
    """Mark ``text`` for extraction; return it unchanged."""
    return text
