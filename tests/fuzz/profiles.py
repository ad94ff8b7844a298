"""The fuzzer's hypothesis settings: FUZZ_PROFILE=default (in `make test`) or deep (`make fuzz`)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# Each example is several requests (one per role) against a database: no deadline, and
# slow data generation is expected. The world fixture is function-scoped on purpose: the
# examples of one test share its users and objects (state left by one example, a zone
# saved, a view renamed, is what the next one should meet), and the test's transaction
# is rolled back after it.
_SUPPRESSED = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
]

PROFILES = {
    # Reproducible in CI: the same examples every run.
    "default": settings(
        max_examples=6,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=_SUPPRESSED,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    ),
    "deep": settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
        deadline=None,
        database=None,
        suppress_health_check=_SUPPRESSED,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    ),
}
NAME = os.environ.get("FUZZ_PROFILE", "default")
if NAME not in PROFILES:
    raise RuntimeError(f"FUZZ_PROFILE={NAME!r}: choose one of {sorted(PROFILES)}")
FUZZ = PROFILES[NAME]
