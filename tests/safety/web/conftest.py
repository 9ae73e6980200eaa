"""The web tier's fixtures (real app, temporary directory, stand-in Rasa) from tests/web."""

from tests.web.conftest import (  # noqa: F401 - pytest finds fixtures by name
    client, directory_db, make_client, sample_directory_file, settings, standin_rasa)
