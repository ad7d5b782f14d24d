"""A consultation under load, loaded fast: the data of the ``participation`` group.

The bill and the consultation come from the project's services (so they are
what staff would have made); the crowd is bulk-loaded, as a migration from
another platform would be: accounts without a usable password (no per-person
password hashing) and with a verified email address, so they may take part;
published comments, replies and supports; and one vote per person per article.
Rows go in with ``COPY`` on PostgreSQL and ``bulk_create`` elsewhere.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

BATCH = 5_000
EMAIL_DOMAIN = "bench.example.org"
WORDS = [
    "propuesta",
    "ley",
    "artículo",
    "ciudadanía",
    "derecho",
    "región",
    "municipio",
    "presupuesto",
    "plazo",
    "comisión",
    "transparencia",
    "acceso",
    "información",
    "pública",
    "educación",
    "salud",
    "trabajo",
    "participación",
    "consulta",
    "redacción",
    "claridad",
    "sanción",
    "procedimiento",
    "registro",
    "gobierno",
    "regional",
    "local",
    "entidad",
    "obligación",
    "días",
    "hábiles",
    "reglamento",
]


@dataclass
class Participation:
    consultation: object  # consultations.models.Consultation
    articles: list  # the consulted articles (bills.models.Provision), in order
    participants: list[int]  # people who voted on every article; many commented
    voters: list[int]  # people who have not voted yet (for the vote load)


def load(
    *,
    number: str = "4040/2026-CR",
    articles: int = 40,
    participants: int = 2_500,
    comments: int = 10_000,
    supports: int = 20_000,
    voters: int = 0,
    seed: int = 4,
) -> Participation:
    """One open consultation on a bill of ``articles`` articles, with
    ``participants`` people each voting on every article, ``comments``
    published comments (a fifth of them replies; a tenth of the rest on the
    whole bill), ``supports`` supports, and ``voters`` people who have not
    voted yet."""
    from consultations.models import Comment, Support, Vote

    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    consultation = _open_consultation(number, articles)
    provisions = list(
        consultation.version.provisions.filter(kind="article").order_by("order", "pk")
    )
    prefix = number.split("/")[0]
    people = bulk_users(f"p{prefix}-", participants, rng)
    now = timezone.now()

    _copy(
        Vote,
        (
            {
                "consultation_id": consultation.pk,
                "provision_id": provision.pk,
                "voter_id": person.pk,
                "choice": ("agree", "agree", "disagree", "abstain")[rng.randrange(4)],
                "reason": "",
                "reason_status": "",
                "created_at": now,
                "updated_at": now,
                **_snapshot(person),
            }
            for person in people
            for provision in provisions
        ),
    )

    top_level = comments - comments // 5
    # Spread over three days, as if the consultation had been open that long
    # (the service opens it now: it refuses an opening time in the past).
    minutes = 3 * 24 * 60
    authors = [rng.choice(people) for _ in range(comments)]
    parents = Comment.objects.bulk_create(
        [
            Comment(
                consultation=consultation,
                provision=None if index % 10 == 0 else provisions[index % len(provisions)],
                author=author,
                text=_text(rng, index),
                status="published",
                created_at=now - timedelta(minutes=rng.randrange(minutes)),
                **_snapshot(author),
            )
            for index, author in enumerate(authors[:top_level])
        ],
        batch_size=BATCH,
    )
    replies = []
    for index, author in enumerate(authors[top_level:]):
        parent = rng.choice(parents)
        replies.append(
            Comment(
                consultation=consultation,
                provision_id=parent.provision_id,
                parent=parent,
                author=author,
                text=_text(rng, top_level + index),
                status="published",
                created_at=min(now, parent.created_at + timedelta(minutes=1)),
                **_snapshot(author),
            )
        )
    everything = parents + Comment.objects.bulk_create(replies, batch_size=BATCH)

    backed: set[tuple[int, int]] = set()
    tries = 0
    while everything and len(people) > 1 and len(backed) < supports and tries < supports * 3:
        tries += 1
        comment, person = rng.choice(everything), rng.choice(people)
        if person.pk != comment.author_id:
            backed.add((person.pk, comment.pk))
    _copy(
        Support,
        (
            {"supporter_id": person, "comment_id": comment, "proposal_id": None, "created_at": now}
            for person, comment in sorted(backed)
        ),
    )

    fresh = bulk_users(f"v{prefix}-", voters, rng)
    # The running tallies followed the copied votes (the database keeps them).
    # Autovacuum would gather statistics on these tables within a minute
    # (without them the planner picks poor indexes for the measured queries),
    # and then vacuum what was just loaded, taking a core from the
    # measurements: both are done now, as a database in service has them.
    _vacuum()
    return Participation(
        consultation=consultation,
        articles=provisions,
        participants=[person.pk for person in people],
        voters=[person.pk for person in fresh],
    )


def _open_consultation(number: str, articles: int):
    from accounts.models import Role
    from accounts.services import user_assign_role, user_create
    from consultations import services
    from tests.bills.factories import published_bill

    bill = published_bill(number, articles=articles)
    committee = bill.committees.get()
    staff = user_create(
        email=f"staff-{number.split('/')[0]}@{EMAIL_DOMAIN}",
        password=None,
        display_name="Secretaría Técnica",
        email_verified=True,
    )
    user_assign_role(user=staff, role=Role.COMMITTEE_STAFF)
    committee.staff.add(staff)
    now = timezone.now()
    consultation = services.consultation_create(
        actor=staff,
        version=bill.versions.get(),
        committee=committee,
        title=f"Consulta ciudadana sobre el proyecto {number}",
        description="Opine artículo por artículo.",
        opens_at=now,
        closes_at=now + timedelta(days=30),
        questions=["¿Qué artículo cambiaría?", "¿Falta algo en la ley?"],
    )
    services.consultations_open_and_close_due()
    consultation.refresh_from_db()
    return consultation


def bulk_users(prefix: str, count: int, rng: random.Random) -> list:
    """``count`` people with a verified email address and no usable password."""
    from allauth.account.models import EmailAddress

    from accounts.models import AgeRange, Region, RespondentType, User

    if not count:
        return []
    regions = list(Region.objects.all())
    types = RespondentType.values
    ages = AgeRange.values
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{index}@{EMAIL_DOMAIN}",
                display_name=f"Participante {prefix}{index}",
                password=make_password(None),
                region=rng.choice(regions) if regions else None,
                respondent_type=types[0] if rng.random() < 0.8 else rng.choice(types),
                age_range=rng.choice(ages),
            )
            for index in range(count)
        ],
        batch_size=BATCH,
    )
    _copy(
        EmailAddress,
        (
            {"user_id": user.pk, "email": user.email, "verified": True, "primary": True}
            for user in users
        ),
    )
    return users


def _snapshot(person) -> dict:
    return {
        "region_id": person.region_id,
        "respondent_type": person.respondent_type,
        "age_range": person.age_range,
    }


def _text(rng: random.Random, index: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(12, 70)))
    return f"Comentario {index}: {words}."


def _copy(model: type[models.Model], rows: Iterable[dict]) -> None:
    """Inserts ``rows`` (values keyed by attribute name) into ``model``'s table."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]
    if connection.vendor != "postgresql":
        batch: list = []
        for row in rows:
            batch.append(model(**row))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
        return
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            # Columns the rows leave out (added to the model later) take their default.
            copy.write_row(
                [
                    row[field.attname] if field.attname in row else field.get_default()
                    for field in fields
                ]
            )


def _vacuum(table: str = "") -> None:
    """VACUUM (ANALYZE) the database, or one of its tables (PostgreSQL only);
    in a transaction (the harness's tests), where VACUUM cannot run, ANALYZE."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {connection.ops.quote_name(table) if table else ''}")


def signed_in(people: Sequence[int], *, secret_key: str) -> list[tuple[str, str]]:
    """A stored session and a CSRF secret for each person, as a sign-in would
    leave them (in the database, and in the shared cache when there is one)
    for a server whose SECRET_KEY is ``secret_key``: one ``(session_key,
    csrf_secret)`` each, in order."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.test.utils import override_settings
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from config.sessions import CACHE_SECONDS, SessionStore

    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    expires = timezone.now() + timedelta(days=1)
    users = User.objects.in_bulk(people)
    rows, keys, cached = [], [], {}
    # Session data and the password hash it carries are signed with the key.
    with override_settings(SECRET_KEY=secret_key):
        store = SessionStore()
        for pk in people:
            user = users[pk]
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "accounts.backends.AuthenticationBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            key = get_random_string(32, alphabet)
            session = Session(session_key=key, session_data=store.encode(data), expire_date=expires)
            rows.append(session)
            keys.append((key, get_random_string(32)))
            cached[store.cache_key_prefix + key] = data
    Session.objects.bulk_create(rows, batch_size=BATCH)
    _vacuum(Session._meta.db_table)
    if settings.REDIS_URL:
        cache, items = caches[settings.SESSION_CACHE_ALIAS], list(cached.items())
        for start in range(0, len(items), BATCH):
            cache.set_many(dict(items[start : start + BATCH]), timeout=CACHE_SECONDS)
    return keys
