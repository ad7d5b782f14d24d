import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Importer messages are checked in their English source form; pages still
    follow each request's language."""
    with translation.override("en"):
        yield
