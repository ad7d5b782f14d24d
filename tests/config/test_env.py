import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env


def test_booleans_accept_the_usual_spellings_and_refuse_others():
    env = Env({"A": "yes", "B": "0", "C": "maybe"})
    assert env.bool("A", default=False) is True
    assert env.bool("B", default=True) is False
    assert env.bool("MISSING", default=True) is True
    with pytest.raises(ImproperlyConfigured, match="C must be one of"):
        env.bool("C", default=False)


def test_a_bad_number_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        Env({"EMAIL_PORT": "twenty-five"}).int("EMAIL_PORT", 25)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be at least 1"):
        Env({"EMAIL_PORT": "0"}).int("EMAIL_PORT", 25, minimum=1)


def test_lists_are_comma_separated_and_trimmed():
    env = Env({"ALLOWED_HOSTS": " a.example.org, ,b.example.org "})
    assert env.list("ALLOWED_HOSTS") == ["a.example.org", "b.example.org"]


def test_required_value_missing_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        Env({}).str("SECRET_KEY")


def test_nul_character_in_a_value_is_refused():
    with pytest.raises(ImproperlyConfigured, match="NUL"):
        Env({"X": "a\x00b"}).str("X")


def test_database_url_must_be_postgres_or_sqlite():
    env = Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/aporta"})
    assert env.database("DATABASE_URL", "sqlite:///x")["ENGINE"].endswith("postgresql")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": "mysql://root@localhost/aporta"}).database("DATABASE_URL", "")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": "not a url"}).database("DATABASE_URL", "")


def test_redis_url_is_checked():
    assert Env({}).redis_url("REDIS_URL") is None
    assert Env({"REDIS_URL": "redis://127.0.0.1:6379/0"}).redis_url("REDIS_URL")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a redis://"):
        Env({"REDIS_URL": "http://127.0.0.1:6379"}).redis_url("REDIS_URL")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL has an invalid port"):
        Env({"REDIS_URL": "redis://127.0.0.1:port/0"}).redis_url("REDIS_URL")


def test_choice_lists_what_is_allowed():
    with pytest.raises(ImproperlyConfigured, match="console, smtp"):
        Env({"EMAIL_BACKEND": "pigeon"}).choice("EMAIL_BACKEND", "console", {"console", "smtp"})
