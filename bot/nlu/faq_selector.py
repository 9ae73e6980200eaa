"""Pick the answer to a core-offer question ("what is portage") with a small linear model.

Rasa's ``ResponseSelector`` is a third TensorFlow model in the pipeline. For our 26 FAQ answers
it cost about 80 MB on disk, a few hundred MB of memory in the running server and 8 % of the
server's time on every message. The questions differ by their words ("portage", "EHCP",
"health visitor"), so a logistic regression over word and character n-grams picks the answer
as well, in well under a millisecond, from a model of a few hundred kilobytes.

The output is exactly the ``ResponseSelector``'s (``response_selector`` in the parse data), so
Rasa's own ``utter_ask_core_offer_info`` retrieval action, the domain and the training data
format (``ask_core_offer_info/<answer>`` in ``data/nlu/faq.yml``) do not change.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)

logger = logging.getLogger(__name__)

# Rasa's recipe validator warns when there are retrieval-intent examples but no component of
# the exact class ResponseSelector. This component is the response selector, so the warning
# would only mislead whoever reads the training log.
warnings.filterwarnings("ignore", message=r"You have defined training data with examples for "
                        r"training a response selector")

_MODEL_FILE = "faq_selector.skops"
_META_FILE = "faq_selector.json"
_RANKING_LENGTH = 10
#: Types our fitted pipeline holds beyond what skops trusts by default (TfidfVectorizer keeps its
#: idf weights as a sparse diagonal matrix).
_EXPECTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})


def build_classifier():
    """Word 1–2-grams plus character 2–5-grams (typos: "helth visiter") into a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True)),
    ])
    return Pipeline([("features", features),
                     ("classify", LogisticRegression(C=20.0, max_iter=2000))])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(GraphComponent):
    """Chooses which answer of a retrieval intent (``ask_core_offer_info/<answer>``) fits best."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"retrieval_intent": "ask_core_offer_info"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: Any = None, responses: dict[str, list[dict[str, Any]]] | None = None,
                 retrieval_intents: list[str] | None = None) -> None:
        self.retrieval_intent: str = config["retrieval_intent"]
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier
        self.responses = responses or {}
        self.retrieval_intents = retrieval_intents or []

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FaqSelector":
        return cls(config, model_storage, resource)

    # --- training -----------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT) == self.retrieval_intent and m.get(INTENT_RESPONSE_KEY)]
        labels = {m.get(INTENT_RESPONSE_KEY) for m in examples}
        if len(labels) < 2:
            raise ValueError(
                f"FaqSelector needs examples for at least two answers of "
                f"'{self.retrieval_intent}' (like '{self.retrieval_intent}/what_is_portage' in "
                f"data/nlu/faq.yml); it found {len(labels)}.")
        self.classifier = build_classifier()
        self.classifier.fit([m.get(TEXT) for m in examples],
                            [m.get(INTENT_RESPONSE_KEY) for m in examples])
        self.responses = {key: value for key, value in training_data.responses.items()
                          if key.startswith(f"utter_{self.retrieval_intent}/")}
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        missing = sorted(f"utter_{label}" for label in labels
                         if f"utter_{label}" not in self.responses)
        if missing:
            raise ValueError("These FAQ answers have examples but no response in domain/faq.yml: "
                             + ", ".join(missing))
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.classifier, model_dir / _MODEL_FILE)
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                model_dir / _META_FILE,
                {"responses": self.responses, "retrieval_intents": self.retrieval_intents})

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FaqSelector":
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            model_file = model_dir / _MODEL_FILE
            untrusted = set(sio.get_untrusted_types(file=model_file))
            if untrusted - _EXPECTED_TYPES:
                # Only our own fitted pipeline is ever stored here; anything else means the model
                # file is not ours, and it is refused rather than unpickled.
                raise ValueError(f"Refusing to load {model_file}: it holds types the FAQ "
                                 f"selector never stores ({', '.join(sorted(untrusted - _EXPECTED_TYPES))}).")
            classifier = sio.load(model_file, trusted=sorted(untrusted))
            meta = rasa.shared.utils.io.read_json_file(model_dir / _META_FILE)
        return cls(config, model_storage, resource, classifier, meta["responses"],
                   meta["retrieval_intents"])

    # --- answering ----------------------------------------------------------------------------
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and self.classifier is not None:
                self._select(message, text)
        return messages

    def _select(self, message: Message, text: str) -> None:
        probabilities = self.classifier.predict_proba([text])[0]
        order = np.argsort(probabilities)[::-1][:_RANKING_LENGTH]
        classes = self.classifier.classes_
        best = str(classes[order[0]])
        ranking = [{"id": int(i), PREDICTED_CONFIDENCE_KEY: float(probabilities[i]),
                    INTENT_RESPONSE_KEY: str(classes[i])} for i in order]
        properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
        properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
        properties[self.retrieval_intent] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(f"utter_{best}", []),
                PREDICTED_CONFIDENCE_KEY: float(probabilities[order[0]]),
                INTENT_RESPONSE_KEY: best,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{best}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: ranking,
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)

