"""Build Signpost's spaCy pipeline: blank English plus the lookup lemmatizer, saved to disk.

No spaCy model can be downloaded at setup, so we build our own from code: the English tokenizer
and the lemma tables that ship in ``spacy-lookups-data``. Lemmas let "groups", "grouping" and
"group" match the same taxonomy phrase. Rasa's ``SpacyNLP`` loads the saved folder by path.

    python -m bot.nlu.spacy_model build [--out var/spacy/en_signpost] [--force]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_OUT = Path("var/spacy/en_signpost")
#: Bump when the pipeline built here changes, so ``build`` replaces an older copy on disk.
BUILD_VERSION = "1"
_META_KEY = "signpost_build"


def build_pipeline():
    """A blank ``en`` pipeline with a lookup lemmatizer, initialised from spacy-lookups-data."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma lookup table from spacy-lookups-data
    nlp.meta["name"] = "signpost"
    nlp.meta["version"] = f"{BUILD_VERSION}.0.0"
    nlp.meta["description"] = "Blank English with the lookup lemmatizer, built by bot.nlu.spacy_model"
    nlp.meta[_META_KEY] = _fingerprint()
    return nlp


def _fingerprint() -> str:
    """What makes a saved model current: our build version and the spaCy version."""
    import spacy

    return f"{BUILD_VERSION}/spacy-{spacy.__version__}"


def is_current(out: Path) -> bool:
    """True when ``out`` holds a model built by this code with this spaCy."""
    meta = out / "meta.json"
    if not meta.is_file() or not (out / "config.cfg").is_file():
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get(_META_KEY) == _fingerprint()
    except (OSError, ValueError):
        return False


def build(out: Path = DEFAULT_OUT, *, force: bool = False) -> bool:
    """Save the pipeline to ``out`` unless a current copy is already there. True when built."""
    if not force and is_current(out):
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(out)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlu.spacy_model", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("build", help="build the spaCy model (skipped when current)")
    cmd.add_argument("--out", type=Path, default=DEFAULT_OUT)
    cmd.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args(argv)
    if build(args.out, force=args.force):
        print(f"Built the spaCy model in {args.out}", file=sys.stderr)
    else:
        print(f"The spaCy model in {args.out} is up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
