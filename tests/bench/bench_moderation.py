"""Group ``moderation``: screening by a real Celery worker; campaign detection.

``screening_items_per_s``: an open consultation (tests/bench/participation_data.py)
with 3,000 published, unscreened comments (as post-moderation leaves them) of
varied Spanish text, 200 to 1,500 characters, a tenth of them carrying
something screening must find (an insult, a phone number, an email address, a
DNI, a link to a blocked shortener, a text in capitals). One Celery worker
(prefork, concurrency 1, as ``make worker`` runs it but with one process)
under tests.bench.settings screens them from the Redis broker into the
bench's own PostgreSQL database. The first 200 are a warm-up; the figure is
the rest divided by the time from queueing the first of them until the
database shows them all screened.

It is a measurement only if the screening really happened: the worker must
have run the task exactly once per comment, every planted comment must be
held with a finding of the expected rule, and every clean one must still be
published with no finding at all. Otherwise the run fails.

The tasks go to a queue of the run's own (not the default ``celery`` queue), so
a developer's worker on the same Redis never takes them (it would screen
nothing: it is connected to another database).

Campaign detection (100,000 comments carrying 3 paraphrased campaigns) is not
built yet: its four figures are reported unmeasured.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.bench import participation_data, serve
from tests.bench.runner import BenchError, Context, Figure, Unmeasured

FIGURES = (
    "screening_items_per_s",
    "campaign_detection_s",
    "campaign_detection_peak_mb",
    "campaign_recall",
    "campaign_false_positive_rate",
)
CAMPAIGN_FIGURES = FIGURES[1:]
CAMPAIGN_NOT_BUILT = "campaign detection is not built yet (moderation issue, part 4)"

NUMBER = "5050/2026-CR"
ARTICLES = 12
AUTHORS = 800  # about four comments each, over three days
COMMENTS = 3_000
WARMUP = 200
PLANTED_SHARE = 0.10
SHORTEST, LONGEST = 200, 1_500
SEED = 5

POLL_SECONDS = 0.05
WORKER_START_SECONDS = 60
STALL_SECONDS = 60  # no comment screened for this long: the worker is stuck
STOP_SECONDS = 15
TASK = "consultations.tasks.screen_item"
WORKER_TROUBLE = re.compile(r"WARNING|ERROR|CRITICAL|Traceback")
POOL = "prefork"  # as `make worker` runs it (with --concurrency=1: one pool process)


def run(ctx: Context) -> list[Figure | Unmeasured]:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError(
            "the moderation group measures PostgreSQL: set "
            "DATABASE_URL=postgres://user@host:5432/<your database> (the bench creates "
            "and drops a database of its own next to it)"
        )
    if not settings.REDIS_URL:
        raise BenchError(
            "the moderation group runs a real Celery worker, whose broker is Redis: "
            "set REDIS_URL=redis://127.0.0.1:6379/<db>"
        )
    started = time.perf_counter()
    loaded = load()
    ctx.log(
        f"moderation: {len(loaded.comments)} unscreened comments "
        f"({sum(1 for sample in loaded.comments.values() if sample.planted)} planted) "
        f"loaded in {time.perf_counter() - started:.1f} s"
    )
    screening = _screening_items_per_s(ctx, loaded)
    return [screening, *(Unmeasured(name, CAMPAIGN_NOT_BUILT) for name in CAMPAIGN_FIGURES)]


# --- The data ----------------------------------------------------------------------------

# What screening must find in a planted comment: the kind of plant -> its rule.
PLANTS = {
    "insult": "insult",
    "phone": "personal_data",
    "email": "personal_data",
    "dni": "personal_data",
    "link": "link",
    "capitals": "shouting",
}

ROLES = [
    "docente de secundaria",
    "abogada",
    "estudiante de derecho",
    "agricultor",
    "madre de familia",
    "funcionario municipal",
    "dirigente vecinal",
    "comerciante",
    "enfermera",
    "ingeniero civil",
    "jubilado",
    "periodista",
    "contadora pública",
    "transportista",
    "técnico en informática",
]
PLACES = [
    "Arequipa",
    "Cusco",
    "Puno",
    "Piura",
    "Loreto",
    "Lima Norte",
    "Huancayo",
    "Ayacucho",
    "Cajamarca",
    "Tacna",
    "Chiclayo",
    "Trujillo",
    "Huánuco",
    "Moquegua",
    "Ucayali",
    "Tumbes",
]
ENTITIES = [
    "el Ministerio de Economía y Finanzas",
    "la Defensoría del Pueblo",
    "los gobiernos regionales",
    "las municipalidades distritales",
    "la Contraloría General de la República",
    "el Poder Judicial",
    "la Autoridad Nacional de Transparencia",
    "las universidades públicas",
    "el Ministerio de Educación",
    "los hospitales del Minsa",
    "el Jurado Nacional de Elecciones",
    "las comunidades campesinas",
]
LAWS = [
    "la Ley 27444",
    "la Ley 27806",
    "la Ley 29733",
    "la Ley 30424",
    "la Ley 28611",
    "el Decreto Legislativo 1057",
    "el Decreto Legislativo 1310",
    "el Decreto Supremo 004-2019-JUS",
    "el proyecto 1234/2025-CR",
]
ADJECTIVES = [
    "insuficiente",
    "razonable",
    "excesivo",
    "confuso",
    "adecuado",
    "demasiado amplio",
    "poco realista",
    "necesario",
]
OPENERS = [
    "Como {role} de {place}, quiero comentar el artículo {article}.",
    "Estoy de acuerdo con la redacción del artículo {article}, con algunas precisiones.",
    "No estoy de acuerdo con el artículo {article} tal como está redactado.",
    "Saludos desde {place}. Leí con atención el proyecto {bill}.",
    "Agradezco que se abra esta consulta; soy {role} y me afecta directamente.",
    "Sobre el artículo {article}: la intención es buena, pero el texto no la refleja.",
    "Escribo en nombre de mi asociación de {place}, que revisó el proyecto en asamblea.",
    "Quisiera aportar algunas ideas sobre el proyecto {bill}.",
]
SENTENCES = [
    "El plazo de {days} días hábiles me parece {adjective} para que la entidad responda.",
    "Propongo que se precise qué se entiende por información pública, como ya lo hace {law}.",
    "{law_cap} ya regula este procedimiento; conviene no duplicar normas.",
    "No queda claro quién fiscaliza el cumplimiento: ¿{entity} o {entity2}?",
    "En {place} las oficinas no tienen internet estable, y el registro en línea "
    "dejaría fuera a muchas personas.",
    "El presupuesto previsto, unos S/ {amount} por año, no alcanza para {entity}.",
    "Sugiero añadir un inciso que obligue a publicar las actas dentro de {days} días.",
    "La sanción prevista en el artículo {article2} es {adjective}; debería graduarse "
    "según la gravedad.",
    "Hace falta una disposición transitoria para los procedimientos ya iniciados.",
    "¿Qué pasa con las personas que no hablan castellano? El texto debería "
    "garantizar la atención en quechua, aimara y lenguas amazónicas.",
    "En mi experiencia como {role}, los formularios largos desaniman a la gente.",
    "La exposición de motivos cita cifras de {year}, pero no dice de dónde salen.",
    "Convendría que {entity} emita un reglamento en un plazo de {days} días.",
    "El artículo {article2} contradice lo dispuesto en {law}.",
    "Me preocupa que la norma se aplique solo en Lima y no en las regiones.",
    "Pido que se mantenga la gratuidad del trámite para quienes tienen menos recursos.",
    "Se debería exigir que las respuestas se den por escrito y con firma del responsable.",
    "Un {percent} % de las solicitudes se responde tarde, según {entity}.",
    "Los gobiernos locales necesitan capacitación antes de asumir esta obligación.",
    "Falta definir qué ocurre si la entidad no responde dentro del plazo.",
    "Propongo esta redacción: «La entidad deberá responder en un plazo máximo de "
    "{days} días hábiles, prorrogable una sola vez».",
    "Estoy a favor de la transparencia, pero también de proteger los datos personales.",
    "La norma debería entrar en vigencia en {year}, para dar tiempo a adecuarse.",
    "El texto completo puede leerse en https://www.congreso.gob.pe/proyectos-de-ley/.",
    "No se ha consultado a las comunidades de {place}, y eso debería corregirse.",
    "Solicito que se publique el informe técnico que sustenta el artículo {article}.",
    "Es importante que la comisión escuche también a los trabajadores del sector.",
    "En resumen, apoyo el proyecto si se corrigen estos puntos.",
    "Gracias por la oportunidad de opinar.",
    "Espero que mis observaciones sean tomadas en cuenta.",
]
INSULTS = [
    "Quien redactó este artículo es un idiota.",
    "Estos congresistas son unos imbéciles que no leen lo que firman.",
    "Qué propuesta más estúpida, por favor.",
    "Son unos pendejos, todos los de la comisión.",
    "Dejen de hacer leyes de mierda.",
    "El autor del proyecto es un tarado.",
]
FIRST_NAMES = ["maria", "jose", "rosa", "luis", "carmen", "juan", "ana", "pedro", "lucia"]
SURNAMES = ["quispe", "flores", "huaman", "mamani", "garcia", "rojas", "torres", "vargas"]
MAIL_DOMAINS = ["gmail.com", "hotmail.com", "yahoo.es", "outlook.com"]
SHORTENERS = ["bit.ly", "tinyurl.com", "cutt.ly", "rb.gy"]


@dataclass(frozen=True)
class Sample:
    """One comment's text and what was planted in it ("" when nothing was)."""

    text: str
    planted: str = ""

    @property
    def expected_rule(self) -> str:
        return PLANTS.get(self.planted, "")


def texts(count: int, rng: random.Random, *, share: float = PLANTED_SHARE) -> list[Sample]:
    """``count`` distinct comment texts of SHORTEST to LONGEST characters;
    ``round(count * share)`` of them, at random places, carry a plant (each
    kind of PLANTS in turn)."""
    planted = rng.sample(range(count), round(count * share))
    kinds = {index: list(PLANTS)[turn % len(PLANTS)] for turn, index in enumerate(planted)}
    samples, seen = [], set()
    for index in range(count):
        kind = kinds.get(index, "")
        sample = _sample(rng, kind)
        while sample.text in seen:  # each comment its own text (repetition is another rule)
            sample = _sample(rng, kind)
        seen.add(sample.text)
        samples.append(sample)
    return samples


def _sample(rng: random.Random, kind: str) -> Sample:
    target = round(rng.triangular(SHORTEST, LONGEST, 450))
    plant = _plant(rng, kind) if kind and kind != "capitals" else ""
    room = LONGEST - len(plant) - 1
    sentences = [_fill(rng, rng.choice(OPENERS))]
    length = len(sentences[0])
    pool = rng.sample(SENTENCES, len(SENTENCES))
    while length < max(target, SHORTEST + len(plant)) and pool:
        sentence = _fill(rng, pool.pop())
        if length + 1 + len(sentence) > room:
            continue
        sentences.append(sentence)
        length += 1 + len(sentence)
    if plant:
        sentences.insert(rng.randrange(1, len(sentences) + 1), plant)
    text = " ".join(sentences)
    if kind == "capitals":
        text = text.upper()
    if not SHORTEST <= len(text) <= LONGEST:  # too few sentences left: start again
        return _sample(rng, kind)
    return Sample(text, kind)


def _fill(rng: random.Random, template: str) -> str:
    law = rng.choice(LAWS)
    entity, entity2 = rng.sample(ENTITIES, 2)
    return template.format(
        role=rng.choice(ROLES),
        place=rng.choice(PLACES),
        article=rng.randrange(1, ARTICLES + 1),
        article2=rng.randrange(1, ARTICLES + 1),
        bill=NUMBER,
        days=rng.choice([5, 7, 10, 15, 20, 30, 60, 90]),
        adjective=rng.choice(ADJECTIVES),
        law=law,
        law_cap=law[0].upper() + law[1:],
        entity=entity,
        entity2=entity2,
        amount=f"{rng.randrange(2, 900)} 000",
        percent=rng.randrange(5, 70),
        year=rng.randrange(2018, 2031),
    )


def _plant(rng: random.Random, kind: str) -> str:
    def digits(count: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(count))

    name, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    if kind == "insult":
        return rng.choice(INSULTS)
    if kind == "phone":
        number = f"9{digits(2)} {digits(3)} {digits(3)}"
        return rng.choice(
            [
                f"Pueden llamarme al {number} para coordinar.",
                f"Mi celular es {number}, escríbanme por WhatsApp.",
                f"Para más detalles contacten a la señora {name.title()} al {number}.",
            ]
        )
    if kind == "email":
        address = f"{name}.{surname}{rng.randrange(1, 99)}@{rng.choice(MAIL_DOMAINS)}"
        return rng.choice([f"Escríbanme a {address} si tienen dudas.", f"Mi correo es {address}."])
    if kind == "dni":
        return f"Lo firmo con mi DNI {rng.randrange(1, 8)}{digits(7)}, para que conste."
    if kind == "link":
        slug = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(7))
        return f"Firmen la petición aquí: https://{rng.choice(SHORTENERS)}/{slug}"
    raise ValueError(f"no plant of kind {kind!r}")


@dataclass
class Loaded:
    consultation: object  # consultations.models.Consultation
    comments: dict[int, Sample]  # by pk, in pk order
    warmup: list[int]
    measured: list[int]


def load(*, count: int = COMMENTS, warmup: int = WARMUP, seed: int = SEED) -> Loaded:
    """An open consultation (post-moderation) with ``count`` published,
    unscreened comments, spread over three days among AUTHORS people; the
    first ``warmup`` (by pk) are the warm-up."""
    from django.utils import timezone

    from accounts.models import User
    from consultations.models import Comment, ItemStatus

    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    data = participation_data.load(
        number=NUMBER,
        articles=ARTICLES,
        participants=AUTHORS,
        comments=0,
        supports=0,
        seed=seed,
    )
    consultation = data.consultation
    people = list(
        User.objects.filter(pk__in=data.participants).only(
            "pk", "region_id", "respondent_type", "age_range"
        )
    )
    samples = texts(count, rng)
    now = timezone.now()
    minutes = 3 * 24 * 60

    def rows() -> Iterator[dict]:
        for index, sample in enumerate(samples):
            author = rng.choice(people)
            created = now - timedelta(minutes=rng.randrange(minutes))
            yield {
                "consultation_id": consultation.pk,
                "provision_id": None if index % 10 == 0 else rng.choice(data.articles).pk,
                "parent_id": None,
                "author_id": author.pk,
                "quote": "",
                "text": sample.text,
                "status": ItemStatus.PUBLISHED,
                "created_at": created,
                "updated_at": created,
                "screened_at": None,
                **participation_data._snapshot(author),
            }

    participation_data._copy(Comment, rows())
    participation_data._vacuum(Comment._meta.db_table)
    by_text = {sample.text: sample for sample in samples}
    comments = {
        pk: by_text[text]
        for pk, text in Comment.objects.filter(consultation=consultation)
        .order_by("pk")
        .values_list("pk", "text")
    }
    if len(comments) != count:
        raise BenchError(f"loaded {len(comments)} comments, expected {count}")
    pks = list(comments)
    return Loaded(consultation, comments, pks[:warmup], pks[warmup:])


# --- The measurement ---------------------------------------------------------------------


def _screening_items_per_s(ctx: Context, loaded: Loaded) -> Figure:
    from django.conf import settings

    from config.celery import app
    from config.tasks import ping
    from consultations.models import Comment
    from consultations.tasks import screen_item

    if app.conf.task_always_eager:
        raise BenchError("Celery runs tasks in process here (task_always_eager): no worker")
    queue = f"bench-moderation-{os.getpid()}-{secrets.token_hex(3)}"
    hostname = f"{queue}@localhost"
    environment = serve.server_environment(
        database_url=serve.database_url(),
        redis_url=settings.REDIS_URL,
        secret_key=secrets.token_urlsafe(64),
    )
    unscreened = Comment.objects.filter(consultation=loaded.consultation, screened_at__isnull=True)

    def send(pks: list[int]) -> None:
        for pk in pks:
            screen_item.apply_async(args=("comment", pk), queue=queue)

    with _worker(environment, queue=queue, hostname=hostname, log=ctx.log) as worker:
        started = time.perf_counter()
        _wait_ready(worker, ping.apply_async(queue=queue))
        ctx.log(f"moderation: worker ready in {time.perf_counter() - started:.1f} s")

        send(loaded.warmup)
        _wait_screened(unscreened, len(loaded.measured), worker)
        ctx.log(f"moderation: {len(loaded.warmup)} warm-up comments screened")

        cpu_before = _cpu(worker.pid)
        started = time.perf_counter()
        send(loaded.measured)
        sent = time.perf_counter() - started
        _wait_screened(unscreened, 0, worker)
        seconds = time.perf_counter() - started
        cpu_after = _cpu(worker.pid)
        tasks_run = _tasks_run(app, hostname)

    per_second = len(loaded.measured) / seconds
    ctx.log(
        f"moderation: {len(loaded.measured)} comments screened in {seconds:.2f} s "
        f"({per_second:.0f}/s, {1000 / per_second:.2f} ms each; queueing them took "
        f"{sent:.2f} s)" + _cpu_report(cpu_before, cpu_after, seconds, len(loaded.measured))
    )
    _verify(ctx, loaded, tasks_run)
    return Figure("screening_items_per_s", per_second, "items/s", 0)


@contextlib.contextmanager
def _worker(
    environment: dict[str, str], *, queue: str, hostname: str, log: Callable[[str], None]
) -> Iterator[subprocess.Popen]:
    """One Celery worker (one prefork child) consuming ``queue`` only; stopped,
    and the queue deleted, on the way out."""
    logfile = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in finally)
        prefix="aporta-bench-celery-", suffix=".log", delete=False
    )
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        f"--pool={POOL}",
        "--concurrency=1",
        f"--queues={queue}",
        f"--hostname={hostname}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    log(f"starting {' '.join(command[1:])}")
    process = subprocess.Popen(
        command,
        cwd=serve.ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failed = True
    try:
        yield process
        failed = False
    finally:
        _stop(process, log)
        _delete_queue(queue, log)
        said = Path(logfile.name).read_text(errors="replace").strip()
        logfile.close()
        os.unlink(logfile.name)
        if said and failed:
            log(f"the Celery worker said:\n{said[-4000:]}")
        elif warnings := [line for line in said.splitlines() if WORKER_TROUBLE.search(line)]:
            log("the Celery worker warned:\n" + "\n".join(warnings[-20:]))


def _stop(process: subprocess.Popen, log: Callable[[str], None]) -> None:
    """SIGTERM (a warm shutdown: the running task finishes), then SIGKILL to its group."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
        return
    except subprocess.TimeoutExpired:
        log(f"the Celery worker did not stop within {STOP_SECONDS} s: killing it")
    # Started in a session of its own, so its process group is the worker's alone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_SECONDS)


def _delete_queue(queue: str, log: Callable[[str], None]) -> None:
    """The run's queue, with whatever a failed run left in it, goes."""
    from kombu import Exchange, Queue

    from config.celery import app

    # As Celery declares a queue named on the command line; declared again here,
    # since a channel deletes only the bindings it knows.
    declared = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)
    try:
        with app.connection_for_write() as connection:
            bound = declared(connection.default_channel)
            bound.declare()
            left = bound.purge() or 0
            bound.delete()
    except Exception as error:  # tidying up must not hide the real failure
        log(f"could not delete the queue {queue}: {error}")
        return
    if left:
        log(f"{left} messages were left in the queue {queue}")


def _wait_ready(worker: subprocess.Popen, answer) -> None:
    """Until the worker answers the ping (it is consuming the queue)."""
    from celery.exceptions import TimeoutError as NoAnswer

    deadline = time.monotonic() + WORKER_START_SECONDS
    try:
        while True:
            if worker.poll() is not None:
                raise BenchError(f"the Celery worker exited with {worker.returncode} on starting")
            try:
                if answer.get(timeout=1) != "pong":
                    raise BenchError("the Celery worker answered the ping wrongly")
                return
            except NoAnswer:
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"the Celery worker did not answer a ping within {WORKER_START_SECONDS} s"
                    ) from None
    finally:
        answer.forget()


def _wait_screened(unscreened, until: int, worker: subprocess.Popen) -> None:
    """Until at most ``until`` of the comments are unscreened."""
    last, last_change = None, time.monotonic()
    while True:
        left = unscreened.count()
        if left <= until:
            return
        if worker.poll() is not None:
            raise BenchError(
                f"the Celery worker exited with {worker.returncode}, {left - until} "
                "comments still unscreened"
            )
        if left != last:
            last, last_change = left, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            raise BenchError(
                f"no comment was screened for {STALL_SECONDS} s, {left - until} still "
                "unscreened: is the worker consuming the queue?"
            )
        time.sleep(POLL_SECONDS)


def _tasks_run(app, hostname: str) -> int:
    """How many screening tasks the worker received (its own count)."""
    replies = app.control.inspect(destination=[hostname], timeout=5).stats() or {}
    if hostname not in replies:
        raise BenchError(f"the worker {hostname} did not answer for its statistics")
    return replies[hostname].get("total", {}).get(TASK, 0)


def _verify(ctx: Context, loaded: Loaded, tasks_run: int) -> None:
    """The figure is a measurement only if the screening really happened."""
    from consultations.models import Comment, ItemStatus
    from moderation.models import Finding

    if tasks_run != len(loaded.comments):
        raise BenchError(
            f"the worker ran {TASK} {tasks_run} times for {len(loaded.comments)} comments "
            "queued once each"
        )
    findings: dict[int, list[tuple]] = defaultdict(list)
    for object_id, *finding in Finding.objects.filter(
        kind="comment", consultation=loaded.consultation
    ).values_list("object_id", "rule", "label", "field", "start", "end"):
        findings[object_id].append(tuple(finding))
    problems = []
    statuses = dict(
        Comment.objects.filter(consultation=loaded.consultation).values_list("pk", "status")
    )
    for pk, sample in loaded.comments.items():
        found, status = findings.get(pk, []), statuses.get(pk)
        rules = {rule for rule, *_rest in found}
        if len(set(found)) != len(found):
            problems.append(f"comment {pk} has the same finding twice: {found}")
        elif sample.planted and (status != ItemStatus.HELD or sample.expected_rule not in rules):
            problems.append(
                f"comment {pk} (planted: {sample.planted}) is {status} with findings "
                f"{found}, expected held with a {sample.expected_rule} finding: "
                f"{sample.text!r}"
            )
        elif not sample.planted and (status != ItemStatus.PUBLISHED or found):
            problems.append(
                f"clean comment {pk} is {status} with findings {found}, expected "
                f"published with none: {sample.text!r}"
            )
    if problems:
        shown = "\n".join(problem[:1200] for problem in problems[:5])
        raise BenchError(
            f"{len(problems)} of {len(loaded.comments)} comments were not screened as "
            f"expected; the first:\n{shown}"
        )
    by_rule = Counter(rule for found in findings.values() for rule, *_rest in found)
    ctx.log(
        f"moderation: verified: {tasks_run} tasks run, "
        f"{sum(1 for status in statuses.values() if status == ItemStatus.HELD)} held, "
        f"findings by rule {dict(sorted(by_rule.items()))}"
    )


# --- Where the time goes -----------------------------------------------------------------


def _cpu(worker_pid: int) -> dict[str, float] | None:
    """CPU seconds used so far by the worker's main process, its pool
    process, this process (queueing and polling), and the whole PostgreSQL
    server when it runs on this machine (connections that ended count through
    the postmaster, which reaped them); None where /proc cannot tell."""
    from django.db import connection

    try:
        children = [
            int(pid)
            for task in Path(f"/proc/{worker_pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        used = {
            "worker main": _cpu_seconds([worker_pid]),
            "worker pool": _cpu_seconds(children),
            "bench": _cpu_seconds([os.getpid()]),
        }
    except OSError:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    with contextlib.suppress(OSError, IndexError, ValueError):
        postmaster = int(_stat(backend)[1])
        server = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent(int(entry.name)) == postmaster
        ]
        used["postgres"] = _cpu_seconds(server) + _cpu_seconds([postmaster], reaped=True)
    return used


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command: state, ppid, …"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _parent(pid: int) -> int | None:
    try:
        return int(_stat(pid)[1])
    except (OSError, IndexError, ValueError):
        return None


def _cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """User and system time of ``pids`` (and of their ended children when ``reaped``)."""
    fields = (11, 12, 13, 14) if reaped else (11, 12)
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = _stat(pid)
            ticks += sum(int(stat[field]) for field in fields)
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_report(before, after, seconds: float, items: int) -> str:
    if not before or not after:
        return ""
    used = {name: after[name] - before[name] for name in before}
    return "; CPU per comment: " + ", ".join(
        f"{name} {1000 * value / items:.2f} ms ({100 * value / seconds:.0f} % of a core)"
        for name, value in used.items()
    )
