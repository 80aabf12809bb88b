"""What every table of the statistics is made with: a table's protected counts from its
labels and raw counts, the labels of a vocabulary, and the name of the temporary table of
counted cases in a statement (``services/statistics.py``, ``statistics_activity.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from shelter_app.domain import suppression, vocab
from shelter_app.domain.statistics import StatTable
from shelter_app.services.case_facts import NOT_RECORDED

Translate = Callable[[str], str]
INTERNAL = "internal"
OTHER_COUNTRIES = "other"
OTHER_PROVIDERS = "other_partners"


def counted(sql: str) -> str:
    """*sql* with ``counted`` naming the temporary table of the period's counted cases."""
    return sql.replace(" counted", " temp.stat_counted")


def table(key: str, title: str, unit: str, labels: Iterable[tuple[str, str]],
           counts: Mapping[str, int], t: int, *, additive: bool) -> StatTable:
    ordered = tuple(labels)
    known = {code for code, _label in ordered}
    values = {code: counts.get(code, 0) for code, _l in ordered}
    # a code no longer in the vocabulary (an edited database) counts as not recorded, never
    # as a row of its own: its presence would be a count of its own
    stray = sum(n for code, n in counts.items() if code not in known)
    if stray and NOT_RECORDED in values:
        values[NOT_RECORDED] += stray
    return StatTable(key, title, unit, ordered,
                     suppression.protect(values, t, additive=additive))


def terms(vocabulary: vocab.Vocabulary, tr: Translate) -> list[tuple[str, str]]:
    return [(term.code, tr(term.label)) for term in vocabulary.terms.values()]


def choices(vocabulary: vocab.Vocabulary, tr: Translate) -> list[tuple[str, str]]:
    """The vocabulary's terms and "not recorded" after them."""
    _ = tr
    return [*terms(vocabulary, tr), (NOT_RECORDED, _("Not recorded"))]
