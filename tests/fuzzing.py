"""How the property tests run: the same examples every time in ``make test``, a long random
search in ``make fuzz``.

A random search inside the gate that decides whether work lands fails at random (it did, on
a control character in a bibliography field). So in ``make test`` every property test runs
with a fixed seed (:data:`SEED`), and first replays the examples kept in
``tests/hypothesis-examples/``, read-only: a checked-in database of what earlier searches found.
``make fuzz`` (``BOOK_FUZZ=1``) searches with fresh random seeds for as long as it is given,
many more examples a test, and saves what fails into that folder: check the new files in
together with the fix, and every later ``make test`` replays them.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, seed, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase

EXAMPLES = Path(__file__).resolve().parent / "hypothesis-examples"
FUZZING = os.environ.get("BOOK_FUZZ") == "1"
SEED = 20211126
"""The gate's seed (the sample book's date)."""
SEARCH = 20
"""How many times more examples a test tries in ``make fuzz`` than in ``make test``."""


def fuzzed(max_examples: int = 150):
    """The settings of a property test: deterministic in the gate, a random search in ``make fuzz``."""
    database = DirectoryBasedExampleDatabase(EXAMPLES)

    def decorate(test):
        if not FUZZING:
            test = seed(SEED)(test)  # before the settings: hypothesis's seed alone turns the database off
        return settings(max_examples=max_examples * (SEARCH if FUZZING else 1), deadline=None,
                        database=database if FUZZING else ReadOnlyDatabase(database),
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                               HealthCheck.filter_too_much],
                        print_blob=True)(test)
    return decorate
