"""Pick the intent with a small linear model instead of DIET, so no TensorFlow runs per message.

DIET was the last TensorFlow model in the pipeline: most of a cold ``rasa train``, most of the
Rasa server's memory and a share of every message's time. Our intents differ by their words
("show me more", "nursery in Darwen", "no thanks"), so a logistic regression over word and
character n-grams (the FAQ selector's recipe, ``bot/nlu/faq_selector.py``) classifies them as
well, in well under a millisecond. Rasa's own ``LogisticRegressionClassifier`` was tried first:
over the CountVectorsFeaturizers' raw counts, with its fixed regularisation and balanced class
weights, its confidences were so flat that clear messages fell under the fallback threshold
("specifically cv stuff"), and it lost conversations and left dead ends DIET did not.

Not in ``config.yml`` yet. Tried in place of DIET and its featurizers (``FallbackClassifier``
threshold 0.35, set so the held-out NLU split falls back as often as with DIET), measured against
DIET in one session on 6 Dec 2026: cold ``rasa train`` 137 s -> 32 s, Rasa's RSS 1,436 -> 932 MB
(TensorFlow is still imported by Rasa itself). With ``NeedClassifier`` after the taxonomy matcher
(paraphrased needs) and bare-number ages, measured again after the merge of 6 Dec 02:20: held-out
intent macro-F1 0.945 (DIET 0.952), need recall 0.963 (0.951), child age recall 1.000 (1.000),
all of ``tests/bot`` and ``tests/safety/bot`` pass; ``evaluation.conversations`` top-3 better on
every directory (80.6/81.3/72.8 % vs 78.0/78.7/69.8 %, no dead ends) but multi-turn one
conversation short on each (81.8/85.5/72.7 % vs 83.6/87.3/74.6 %): "we don't drive" reads as
``deny`` (0.42), "sorry my english not so good. breastfeeding help <postcode>" falls under the
threshold (then a safety check), "parenting courses Wakefield" reads as a FAQ question,
"14 months, going back to work in jan" as a search rather than an age, and the need classifier
reads "sensory sessions" as disability_send. The model does not know that a need phrase or a
postcode is in the message; DIET did, through its entity layer. Use it once those are covered.

The output is Rasa's usual ``intent`` and ``intent_ranking``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

#: TfidfVectorizer keeps its idf weights as a sparse diagonal matrix; skops asks us to trust it.
_EXPECTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})


def build_classifier(c: float = 20.0):
    """Word 1–2-grams plus character 2–5-grams (typos: "nursary") into a logistic regression.

    No class weighting: balanced weights spread the probability over the rare intents and made
    common, clear messages look unsure.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True)),
    ])
    return Pipeline([("features", features),
                     ("classify", LogisticRegression(C=c, max_iter=3000))])


def save_pipeline(pipeline: Any, path: Path) -> None:
    import skops.io as sio

    sio.dump(pipeline, path)


def load_pipeline(path: Path) -> Any:
    """Load a pipeline written by ``save_pipeline``, refusing any type it never holds."""
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path))
    if untrusted - _EXPECTED_TYPES:
        raise ValueError(f"Refusing to load {path}: it holds types our classifiers never store "
                         f"({', '.join(sorted(untrusted - _EXPECTED_TYPES))}).")
    return sio.load(path, trusted=sorted(untrusted))


class TextModelComponent(GraphComponent):
    """A pipeline component around one ``build_classifier`` model, kept in the Rasa model.

    Subclasses say what the model learns (``train``, calling ``fit``) and what it sets
    (``process``); creating, saving and loading are the same for all of them.
    """

    #: The model's file name inside the component's resource.
    model_file = "classifier.skops"

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextModelComponent":
        return cls(config, model_storage, resource)

    def fit(self, texts: list[str], labels: list[str]) -> Resource:
        """Train a fresh model on ``texts`` and keep it in the Rasa model."""
        self.classifier = build_classifier(float(self.config["C"]))
        self.classifier.fit(texts, labels)
        with self._model_storage.write_to(self._resource) as model_dir:
            save_pipeline(self.classifier, model_dir / self.model_file)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TextModelComponent":
        with model_storage.read_from(resource) as model_dir:
            classifier = load_pipeline(model_dir / cls.model_file)
        return cls(config, model_storage, resource, classifier)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifier(TextModelComponent):
    """Sets ``intent`` and ``intent_ranking`` from the message's text."""

    model_file = "intent_classifier.skops"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 20.0, "ranking_length": 10}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            raise ValueError("IntentClassifier needs examples of at least two intents in data/nlu.")
        return self.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and self.classifier is not None:
                self._classify(message, text)
        return messages

    def _classify(self, message: Message, text: str) -> None:
        probabilities = self.classifier.predict_proba([text])[0]
        order = np.argsort(probabilities)[::-1][: int(self.config["ranking_length"])]
        ranking = [{"name": str(self.classifier.classes_[i]), "confidence": float(probabilities[i])}
                   for i in order]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
