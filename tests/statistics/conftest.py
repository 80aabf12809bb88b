"""An organisation whose smallest published count is 5, so that a few cases show figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.records.conftest import Org, organisation


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        made.admin.settings.set("statistics_threshold", 5)
        yield made
