"""Train one of our NLU components on data/nlu and load it back, as `rasa train` and the
running server do."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def train_and_load(component: type[T], folder: Path, config: dict | None = None) -> T:
    """``component`` trained on the project's NLU data in ``folder``, then loaded from there."""
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain"), training_data_paths=[str(ROOT / "data" / "nlu")])
    storage = LocalModelStorage(folder)
    resource = Resource(component.__name__)
    context = ExecutionContext(GraphSchema({}), "test")
    component.create(config or {}, storage, resource, context).train(importer.get_nlu_data())
    return component.load(config or {}, storage, resource, context)
