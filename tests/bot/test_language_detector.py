"""A message in another language is noticed and not misread as English; short English stays English.

The component is built directly (no trained model): the parse a parent's message gets is what
these tests check — the ``language`` entity, the ``find_service`` intent, and only the entities
that mean the same in any language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import (
    SOURCE_NEED,
    LanguageDetector,
    PhraseFinder,
    fold,
    words,
)
from common.languages import load_languages
from directory.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
TOWNS = ("Blackburn", "Darwen", "Little Harwood", "Accrington")


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector({}, towns=TOWNS)


def parse(detector: LanguageDetector, text: str, entities: list | None = None,
          intent: str = "ask_core_offer_info") -> Message:
    """A message as it leaves DIET and the English rules, run through the detector."""
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.62},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.62}],
                            ENTITIES: list(entities or [])})
    return detector.process([message])[0]


def language_of(detector: LanguageDetector, text: str) -> str | None:
    found = [e["value"] for e in parse(detector, text).get(ENTITIES) if e["entity"] == "language"]
    return found[0] if found else None


def entities(message: Message) -> list[tuple[str, object]]:
    return [(e["entity"], e["value"]) for e in message.get(ENTITIES)]


# --- the languages, from the way parents write -------------------------------------------------

PARENT_MESSAGES = [
    ("pl", "czy są grupy dla dzieci w Blackburn"),
    ("pl", "szukam przedszkola dla syna, ma 3 lata"),
    ("pl", "dzien dobry, gdzie jest najblizsze centrum dla rodzin"),  # typed without accents
    ("ur", "کیا بلیک برن میں بچوں کے لیے کوئی گروپ ہے"),
    ("ur", "مجھے اپنے بیٹے کے لیے مدد چاہیے"),
    ("pa", "ਕੀ ਬਲੈਕਬਰਨ ਵਿੱਚ ਬੱਚਿਆਂ ਲਈ ਕੋਈ ਗਰੁੱਪ ਹੈ"),
    ("pa", "ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ"),
    ("gu", "શું બ્લેકબર્નમાં બાળકો માટે કોઈ ગ્રુપ છે"),
    ("gu", "મારે મદદ જોઈએ છે"),
    ("bn", "ব্ল্যাকবার্নে বাচ্চাদের জন্য কোনো গ্রুপ আছে?"),
    ("bn", "আমার সাহায্য দরকার"),
    ("ro", "buna ziua, caut grupuri pentru copii in Blackburn"),
    ("ro", "sunt însărcinată și aș vrea cursuri prenatale"),
    ("ar", "هل توجد مجموعات للأطفال في بلاكبيرن"),
    ("ar", "أحتاج مساعدة لطفلي"),
    ("es", "hola, hay grupos para niños en Darwen?"),
    ("es", "necesito una guardería para mi hijo de 2 años"),
]


@pytest.mark.parametrize("code, text", PARENT_MESSAGES)
def test_a_parents_message_in_each_language_is_recognised(detector, code, text):
    assert language_of(detector, text) == code


def test_every_language_we_offer_an_interpreter_in_is_recognised():
    assert {code for code, _ in PARENT_MESSAGES} == set(load_languages())


# --- English stays English ----------------------------------------------------------------

SHORT_ENGLISH = [
    "ok", "OK", "hi", "hiya", "hello", "yes", "no", "nope", "yh", "ya", "x", "thx", "ta", "cheers",
    "sunday", "sat", "sat am", "BB1", "bb3", "BB3 1AB", "bb2 6ls", "Darwen", "Little Harwood",
    "Mill Hill", "Feniscowles", "I need help", "help", "help pls", "job club", "ESOL", "cost?",
    "is it free", "how much", "open today?", "la leche", "mama", "mummy", "portage", "SEND",
    "thank you", "sorry", "pardon", "gr8 ta", "u there?", "2yo", "18 months", "my lo is 2",
    "any dads groups", "stay and play", "baby massage", "breastfeeding help", "childmider",
    "nursery places", "weekend?", "tomorrow morning", "after school", "speech delay",
]


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english_messages_stay_english(detector, text):
    message = parse(detector, text, intent="greet")
    assert language_of(detector, text) is None
    assert message.get(INTENT)["name"] == "greet"  # untouched


def _english_examples() -> list[str]:
    """Every example in the NLU training data and the held-out set: real English parents' words."""
    found = []
    for path in [*sorted((ROOT / "data" / "nlu").glob("*.yml")), ROOT / "tests/bot/heldout/heldout.yml"]:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append(re.sub(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:]))
    return found


def test_no_english_training_or_held_out_message_is_read_as_another_language(detector):
    examples = _english_examples()
    assert len(examples) > 1000
    misread = [(text, detection) for text in examples
               if (detection := detector.guesser.detect(text)) is not None]
    assert misread == []


def test_button_payloads_are_left_alone(detector):
    message = parse(detector, '/find_service{"need": "stay_and_play"}', intent="find_service")
    assert language_of(detector, message.get(TEXT)) is None


# --- what a message in another language keeps ------------------------------------------------------

DIET_GUESSES = [  # what the English pipeline made of "czy są grupy dla dzieci w Blackburn"
    {"entity": "need", "value": "disability_send", "start": 4, "end": 6, "extractor": "DIETClassifier"},
    {"entity": "day", "value": "SA", "start": 4, "end": 6, "extractor": "DIETClassifier"},
    {"entity": "place", "value": "Blackburn", "start": 26, "end": 35, "extractor": "SignpostEntityParser"},
]


def test_the_polish_question_from_the_issue_is_a_search_for_stay_and_play_in_blackburn(detector):
    message = parse(detector, "czy są grupy dla dzieci w Blackburn", DIET_GUESSES)
    assert message.get(INTENT) == {"name": "find_service", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "find_service"
    assert entities(message) == [("language", "pl"), ("need", "stay_and_play"), ("place", "Blackburn")]
    need = next(e for e in message.get(ENTITIES) if e["entity"] == "need")
    assert need["source"] == SOURCE_NEED and need["language"] == "pl"
    assert need["text"] == "grupy dla dzieci"


def test_english_messages_keep_what_the_english_pipeline_found(detector):
    found = [{"entity": "need", "value": "father_friendly", "start": 4, "end": 8}]
    message = parse(detector, "any dads groups on a sat near Darwen", found, intent="find_service")
    assert message.get(ENTITIES) == found


@pytest.mark.parametrize("text, age_months", [
    ("szukam grupy dla córki, ma 2 lata", 24),
    ("mój syn ma 18 miesięcy, czy jest coś dla niego", 18),
    ("mi hija tiene 3 años, hay algo para ella", 36),
    ("fetita mea are 10 luni, caut o grupa de joaca", 10),
    ("میرا بیٹا 2 سال کا ہے، کیا اس کے لیے کوئی گروپ ہے", 24),
    ("আমার মেয়ের বয়স ২ বছর, ওর জন্য কিছু আছে?", 24),  # Bengali digits
    ("ابني عمره 4 سنوات، هل يوجد شيء له", 48),
])
def test_a_number_with_the_languages_word_for_years_or_months_is_the_childs_age(detector, text, age_months):
    message = parse(detector, text)
    assert ("child_age", age_months) in entities(message)


def test_postcodes_and_directory_towns_are_kept_but_english_cue_words_are_not(detector):
    message = parse(detector, "caut grupuri pentru copii in zona BB2 1AA, aproape de Darwen")
    places = [v for kind, v in entities(message) if kind == "place"]
    assert places == ["BB2 1AA", "Darwen"]  # no town called "Zona" from "in zona"


def test_an_age_is_not_read_as_a_postcode(detector):
    message = parse(detector, "szukam żłobka dla dziecka, ma 2 lata, mieszkam w Blackburn")
    assert [v for kind, v in entities(message) if kind == "place"] == ["Blackburn"]


@pytest.mark.parametrize("code, text, need", [
    ("pl", "szukam zlobka dla synka w Blackburn", "childcare_early_education"),  # no accents
    ("pl", "jestem w ciąży, czy jest szkoła rodzenia", "antenatal"),
    ("es", "busco ayuda con la lactancia materna", "infant_feeding"),
    ("ro", "am nevoie de o creșă pentru fetița mea", "childcare_early_education"),
    ("ar", "أبحث عن حضانة لابني", "childcare_early_education"),
    ("bn", "আমি গর্ভবতী, কোনো সাহায্য আছে?", "antenatal"),
    ("ur", "مجھے دودھ پلانے میں مدد چاہیے", "infant_feeding"),
    ("gu", "મારે સ્તનપાન માટે મદદ જોઈએ છે", "infant_feeding"),
    ("pa", "ਕੀ ਕੋਈ ਨਰਸਰੀ ਹੈ", "childcare_early_education"),
    ("pl", "mam problem z karmieniem piersią", "infant_feeding"),  # another case ending
    ("pl", "czy są zajęcia dla ojców w sobotę", "father_friendly"),
    ("es", "busco trabajo y necesito hacer mi currículum", "jobcentre_plus"),
    ("ro", "fiul meu are autism, unde găsesc ajutor", "disability_send"),
    ("ur", "میں بہت اکیلی محسوس کرتی ہوں", "parent_wellbeing"),
    ("ar", "هل توجد دورات للآباء في دارون", "parenting_courses"),
])
def test_need_words_from_the_taxonomy_are_understood_in_each_language(detector, code, text, need):
    message = parse(detector, text)
    assert ("language", code) in entities(message)
    assert ("need", need) in entities(message)


def test_a_verb_that_looks_like_a_need_word_is_not_one(detector):
    # "Trabajo todo el día" is "I work all day", not a search for a job.
    message = parse(detector, "hay cursos para padres por la tarde? trabajo todo el día")
    assert [v for kind, v in entities(message) if kind == "need"] == ["parenting_courses"]


def test_a_message_in_another_language_without_a_known_need_word_still_becomes_a_search(detector):
    message = parse(detector, "potrzebuję pomocy, nie mówię dobrze po angielsku", DIET_GUESSES)
    assert message.get(INTENT)["name"] == "find_service"
    assert entities(message) == [("language", "pl")]


# --- the word matching every language shares ---------------------------------------------------

def test_accents_on_latin_letters_are_ignored_but_other_scripts_keep_their_marks():
    assert fold("Grupę ŻŁOBEK Creșă") == "grupe zlobek cresa"
    assert fold("বাচ্চাদের") == "বাচ্চাদের"
    assert len(fold("Żłobek")) == len("Żłobek")


def test_words_split_on_punctuation_in_any_script():
    assert [w.text for w in words("ہے، کیا")] == ["ہے", "کیا"]
    assert [w.text for w in words("2-letnie dziecko!")] == ["2", "letnie", "dziecko"]


def test_a_star_matches_any_ending_and_the_longest_phrase_wins():
    finder = PhraseFinder({"zabaw*": "play", "grupa zabaw*": "group"})
    assert [(m.value, m.text) for m in finder.find("Grupa zabawowa i zabawki")] == [
        ("group", "Grupa zabawowa"), ("play", "zabawki")]


def test_every_language_with_need_words_in_the_taxonomy_is_one_we_can_answer_in():
    assert set(load_taxonomy().other_language_index()) <= set(load_languages())


def test_built_by_rasa_it_knows_the_towns_in_the_directory(directory_db):
    # create() is how Rasa builds it: the towns come from the live directory, not a list in code.
    built = LanguageDetector.create({**LanguageDetector.get_default_config(),
                                     "directory_db": str(directory_db)}, None, None, None)
    message = built.process([Message(data={TEXT: "czy jest coś dla dzieci w Hoddlesden"})])[0]
    assert ("place", "Hoddlesden") in entities(message)
    assert ("language", "pl") in entities(message)
