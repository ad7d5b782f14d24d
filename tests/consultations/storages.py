"""A storage that refuses every file, for the failure of a report build."""

from django.core.files.storage import InMemoryStorage


class FullStorage(InMemoryStorage):
    def _save(self, name, content):
        raise OSError(28, "No space left on device")
