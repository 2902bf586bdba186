"""Learner fixtures: a small roadmap with front matter, settings pointing at it, `Learners` over a
SQLite file in the test's data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.learner.roadmaps import write_roadmap
from tutor.config import Settings
from tutor.learner import Learners


@pytest.fixture
def roadmap_dir(tmp_path: Path) -> Path:
    return write_roadmap(tmp_path / "roadmap")


@pytest.fixture
def learner_settings(tmp_path: Path, roadmap_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=roadmap_dir, _env_file=None)


@pytest.fixture
def learners(learner_settings: Settings) -> Learners:
    learners = Learners.from_settings(learner_settings)
    yield learners
    learners.repository.db.close()
