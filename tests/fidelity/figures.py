"""The fidelity figures the replay tests measured in this run, printed at the end by ``tests/conftest.py``.

``docs/fidelity.md`` keeps the latest figures and says how to regenerate them.
"""

from __future__ import annotations

MEASURED: dict[str, str] = {}
"""One line per measurement (keyed by what was measured), in the order the tests ran."""


def record(label: str, matched: int, total: int, unit: str) -> str:
    """Keep ``<label>: 2,119 of 2,130 <unit> match (99.5%)`` for the run's summary; returns the line."""
    share = matched / total if total else 0.0
    MEASURED[label] = f"{label}: {matched:,} of {total:,} {unit} match ({share:.1%})"
    return MEASURED[label]
