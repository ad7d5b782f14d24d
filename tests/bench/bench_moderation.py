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

Campaign detection (moderation.campaigns.detect, no database): 100,000 comment
texts generated in memory by :func:`campaign_texts` (seed CAMPAIGN_SEED):
CAMPAIGN_COPIES paraphrased copies of each of the 3 CAMPAIGN_TEMPLATES (Spanish
form letters of 90 to 110 words), made by :func:`paraphrase` — reworded (10 to
30 % of the words swapped for a synonym from SYNONYMS), reordered (sentences
shuffled), shortened (up to a quarter of the sentences dropped), padded (one or
two personal sentences from PADDING), with case, accent, spacing and
punctuation noise — and the rest unique comments of :func:`unique_comment`
(openers and sentences of the screening texts plus sentences built from
SUBJECTS x VERBS x MATTERS x QUALIFIERS x REASONS; SHORT_SHARE of them one or two short
sentences), all distinct, shuffled.

``campaign_detection_s`` is the wall time of one ``detect`` over them;
``campaign_detection_peak_mb`` the peak of memory allocated (Python objects and
numpy arrays, by ``tracemalloc``) during a second, traced run, which must
answer the same campaigns; ``campaign_recall`` the campaign copies found in the
right campaign (the one most of whose members are copies of the same template)
over all campaign copies; ``campaign_false_positive_rate`` the unique comments
put in any campaign over all unique comments.
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
import tracemalloc
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
    return [screening, *_campaign_figures(ctx)]


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


# --- Campaign detection ------------------------------------------------------------------

CAMPAIGN_COMMENTS = 100_000
CAMPAIGN_COPIES = 2_000  # of each template
CAMPAIGN_SEED = 11
SHORT_SHARE = 0.15  # of the unique comments: one or two sentences

# Three form letters on the bill, as organisations circulate them to be sent in.
CAMPAIGN_TEMPLATES = [
    (
        "Señores congresistas de la Comisión de Constitución: me dirijo a ustedes para "
        "expresar mi rechazo al proyecto de ley 5050/2026-CR. El artículo 4 permite que "
        "las entidades públicas nieguen información sin explicar los motivos. Esta "
        "medida debilita la transparencia y favorece la corrupción en todo el país. Los "
        "ciudadanos tenemos derecho a conocer cómo se gasta el dinero público. Por ello "
        "solicito que se archive el proyecto y que se fortalezca la Ley de Transparencia "
        "vigente. Exijo también que la Autoridad Nacional de Transparencia reciba más "
        "recursos para cumplir su función. Confío en que escucharán la voz de la "
        "ciudadanía. Atentamente."
    ),
    (
        "Como integrante de una comunidad campesina del sur del país, apoyo el proyecto "
        "5050/2026-CR porque obliga a las municipalidades a publicar sus contratos. "
        "Durante años nuestras autoridades locales han ocultado las obras y los gastos. "
        "Con esta norma cualquier vecino podrá revisar los presupuestos desde su "
        "celular. Pido que el plazo para responder las solicitudes sea de diez días "
        "hábiles y que la atención también se brinde en quechua y aimara. Además, "
        "solicito que las sanciones para los funcionarios que incumplan sean severas y "
        "se apliquen de inmediato. Pedimos al Congreso que apruebe esta ley sin más "
        "demora, porque el pueblo merece saber la verdad."
    ),
    (
        "Los padres de familia de las escuelas públicas queremos manifestar nuestra "
        "preocupación por el artículo 9 del proyecto 5050/2026-CR. Tal como está "
        "redactado, el artículo permite difundir los datos personales de los "
        "estudiantes menores de edad. Consideramos que la transparencia es importante, "
        "pero nunca debe poner en riesgo la seguridad de nuestros hijos. Proponemos que "
        "se excluyan expresamente las notas, las direcciones y los datos de salud de "
        "los alumnos. También pedimos que el Ministerio de Educación elabore un "
        "protocolo claro antes de que la norma entre en vigencia. Esperamos que la "
        "comisión tome en cuenta esta solicitud y modifique el texto."
    ),
]

# A word of the templates -> words that can stand for it (rewording).
SYNONYMS = {
    "señores": ["estimados", "distinguidos"],
    "congresistas": ["parlamentarios", "legisladores", "representantes"],
    "dirijo": ["escribo"],
    "expresar": ["manifestar", "comunicar", "dejar constancia de"],
    "rechazo": ["oposición", "desacuerdo", "rechazo total"],
    "proyecto": ["proyecto normativo", "propuesta", "iniciativa"],
    "permite": ["autoriza", "faculta", "habilita"],
    "entidades": ["instituciones", "dependencias", "oficinas"],
    "nieguen": ["rechacen", "denieguen", "oculten"],
    "explicar": ["justificar", "sustentar", "detallar"],
    "motivos": ["razones", "fundamentos", "causas"],
    "medida": ["disposición", "norma", "propuesta"],
    "debilita": ["afecta", "perjudica", "socava"],
    "favorece": ["facilita", "promueve", "alienta"],
    "corrupción": ["impunidad", "malversación"],
    "país": ["Perú", "territorio nacional"],
    "ciudadanos": ["peruanos", "vecinos", "contribuyentes"],
    "derecho": ["la facultad", "el derecho pleno"],
    "conocer": ["saber", "averiguar", "enterarnos de"],
    "gasta": ["usa", "invierte", "emplea"],
    "dinero": ["presupuesto", "fondos", "recursos"],
    "solicito": ["pido", "requiero", "demando"],
    "archive": ["retire", "descarte", "rechace"],
    "fortalezca": ["refuerce", "mejore", "consolide"],
    "vigente": ["actual", "en vigor"],
    "exijo": ["pido", "reclamo", "demando"],
    "reciba": ["obtenga", "cuente con", "disponga de"],
    "recursos": ["presupuesto", "fondos", "medios"],
    "cumplir": ["ejercer", "realizar", "desempeñar"],
    "función": ["labor", "tarea", "misión"],
    "confío": ["espero", "deseo"],
    "escucharán": ["atenderán", "oirán", "considerarán"],
    "ciudadanía": ["población", "gente", "sociedad"],
    "atentamente": ["cordialmente", "saludos", "gracias"],
    "integrante": ["miembro", "comunero", "parte"],
    "comunidad": ["colectividad", "localidad"],
    "apoyo": ["respaldo", "defiendo", "promuevo"],
    "obliga": ["exige", "compromete", "fuerza"],
    "municipalidades": ["alcaldías", "gobiernos locales", "municipios"],
    "publicar": ["difundir", "transparentar", "dar a conocer"],
    "contratos": ["convenios", "adquisiciones", "compras"],
    "años": ["décadas", "mucho tiempo"],
    "autoridades": ["alcaldes", "gobernantes", "funcionarios"],
    "ocultado": ["escondido", "callado", "encubierto"],
    "obras": ["proyectos", "construcciones"],
    "gastos": ["egresos", "desembolsos", "pagos"],
    "norma": ["ley", "regla", "disposición"],
    "vecino": ["ciudadano", "poblador", "persona"],
    "revisar": ["consultar", "examinar", "ver"],
    "presupuestos": ["cuentas", "finanzas", "balances"],
    "celular": ["teléfono", "móvil", "smartphone"],
    "pido": ["solicito", "propongo", "sugiero"],
    "plazo": ["término", "tiempo", "periodo"],
    "responder": ["contestar", "atender", "resolver"],
    "solicitudes": ["pedidos", "peticiones", "requerimientos"],
    "atención": ["respuesta", "orientación", "información"],
    "brinde": ["ofrezca", "preste", "dé"],
    "sanciones": ["multas", "castigos", "penalidades"],
    "funcionarios": ["servidores", "empleados públicos", "trabajadores"],
    "incumplan": ["no cumplan", "desobedezcan", "violen"],
    "severas": ["duras", "firmes", "drásticas"],
    "inmediato": ["forma inmediata", "manera rápida", "urgencia"],
    "pedimos": ["solicitamos", "exigimos", "rogamos"],
    "apruebe": ["sancione", "promulgue", "vote a favor de"],
    "demora": ["retraso", "dilación", "espera"],
    "pueblo": ["país", "población", "gente"],
    "merece": ["necesita", "tiene derecho a"],
    "verdad": ["realidad", "información completa"],
    "padres": ["apoderados", "madres y padres"],
    "escuelas": ["colegios", "instituciones educativas"],
    "queremos": ["deseamos", "buscamos"],
    "manifestar": ["expresar", "comunicar", "señalar"],
    "preocupación": ["inquietud", "alarma", "temor"],
    "redactado": ["escrito", "planteado", "formulado"],
    "difundir": ["publicar", "divulgar", "exponer"],
    "datos": ["información", "registros"],
    "estudiantes": ["alumnos", "escolares", "niños"],
    "consideramos": ["creemos", "pensamos", "entendemos"],
    "importante": ["fundamental", "necesaria", "valiosa"],
    "riesgo": ["peligro", "amenaza"],
    "seguridad": ["integridad", "protección", "privacidad"],
    "hijos": ["niños", "menores", "chicos"],
    "proponemos": ["sugerimos", "planteamos", "recomendamos"],
    "excluyan": ["exceptúen", "retiren", "protejan"],
    "expresamente": ["claramente", "de manera explícita"],
    "notas": ["calificaciones", "evaluaciones"],
    "direcciones": ["domicilios", "ubicaciones"],
    "alumnos": ["estudiantes", "escolares"],
    "elabore": ["prepare", "redacte", "apruebe"],
    "protocolo": ["procedimiento", "reglamento", "guía"],
    "claro": ["preciso", "detallado", "sencillo"],
    "esperamos": ["confiamos en", "deseamos"],
    "modifique": ["cambie", "corrija", "mejore"],
    "texto": ["articulado", "documento", "proyecto"],
}

# A sentence or two a sender adds to the letter, at its start or end (padding).
PADDING = [
    "Soy {role} en {place} y comparto esta carta.",
    "Me llamo {name} y vivo en {place}.",
    "Firmo este mensaje junto con mi familia de {place}.",
    "Lo escribo después de conversarlo con mis vecinos.",
    "Reenvío este texto que circula en mi barrio.",
    "Saludos cordiales desde {place}.",
    "Por favor, no ignoren esta petición.",
    "Ojalá esta vez nos escuchen.",
    "Gracias por leer.",
    "Como {role}, esto me toca muy de cerca.",
]

# More material for the unique comments: subject, verb and what they say, in
# combinations, so that no two people write the same sentences.
SUBJECTS = [
    "El proyecto",
    "La comisión",
    "El texto aprobado en primera votación",
    "La propuesta del Ejecutivo",
    "El dictamen",
    "Esta iniciativa",
    "La reforma",
    "El reglamento que se anuncia",
    "La disposición final",
    "El artículo {article}",
]
VERBS = [
    "olvida",
    "no resuelve",
    "complica",
    "mejora en parte",
    "confunde",
    "deja sin respuesta",
    "endurece",
    "simplifica",
    "ignora",
    "trata de forma ligera",
    "debería aclarar",
    "encarece",
]
MATTERS = [
    "el acceso de las zonas rurales a internet",
    "la carga de trabajo de los archivos municipales",
    "la situación de quienes no saben leer",
    "el costo de las copias certificadas",
    "la reserva de los expedientes judiciales",
    "la forma de notificar a las personas",
    "los registros de visitas de los ministros",
    "la contratación de personal CAS",
    "el uso de firmas digitales",
    "las obras por impuestos",
    "la información de las empresas estatales",
    "los sueldos de los asesores",
    "la rendición de cuentas de los partidos",
    "la compra de medicinas en los hospitales",
    "el mantenimiento de carreteras en la sierra",
    "la seguridad ciudadana en los distritos",
    "el canon minero de {place}",
    "los permisos de construcción",
    "el padrón de beneficiarios de programas sociales",
    "el trabajo de los periodistas de {place}",
]
REASONS = [
    "y eso lo sufren sobre todo los más pobres",
    "como ya pasó con {law}",
    "aunque {entity} advirtió del problema hace años",
    "según lo que vi como {role}",
    "y nadie en {place} lo ha pedido",
    "lo que terminará en más juicios",
    "sin ningún estudio que lo sustente",
    "y los plazos de {days} días no alcanzan",
    "pese a que en {year} se prometió lo contrario",
    "",
]
QUALIFIERS = [
    "en las provincias",
    "durante la emergencia",
    "para los adultos mayores",
    "en época de lluvias",
    "cuando cambia el gobierno",
    "de las zonas de frontera",
    "en los mercados",
    "frente a las mineras",
    "para las mujeres rurales",
    "en los colegios nocturnos",
    "de la selva",
    "en temporada electoral",
    "con los fondos del FONCODES",
    "de los pueblos indígenas",
    "en las comisarías",
    "por falta de personal",
    "con los sindicatos",
    "en las rondas campesinas",
    "en los asentamientos humanos",
    "de las cooperativas cafetaleras",
    "para las personas con discapacidad",
    "en los penales",
    "con la SUNAT",
    "de los pescadores artesanales",
    "en {place}",
]
SHORT = [
    "De acuerdo.",
    "Totalmente en contra de este proyecto.",
    "Apoyo el artículo {article}.",
    "¿Cuándo entra en vigencia?",
    "Por fin una ley que sirve.",
    "Esto no sirve para {place}.",
    "Muy bien, adelante.",
    "Que consulten a {entity}.",
    "Falta presupuesto.",
    "Hay que mejorar el artículo {article2}.",
]


@dataclass(frozen=True)
class CampaignSample:
    """One comment of the campaign data: its text, and the template it is a
    copy of (None for a unique comment)."""

    text: str
    template: int | None = None


def campaign_texts(
    count: int = CAMPAIGN_COMMENTS,
    *,
    copies: int = CAMPAIGN_COPIES,
    seed: int = CAMPAIGN_SEED,
    templates: list[str] = CAMPAIGN_TEMPLATES,
) -> list[CampaignSample]:
    """``count`` comments, ``copies`` of them paraphrased copies of each of
    ``templates`` (:func:`paraphrase`), the rest unique comments
    (:func:`unique_comment`), all distinct, in a seeded random order."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    unique_count = count - copies * len(templates)
    if unique_count < 0:
        raise ValueError(f"{count} comments cannot hold {copies} copies of each template")
    samples, seen = [], set()
    for number, template in enumerate(templates):
        for _ in range(copies):
            text = paraphrase(template, rng)
            while text in seen:
                text = paraphrase(template, rng)
            seen.add(text)
            samples.append(CampaignSample(text, number))
    for _ in range(unique_count):
        text = unique_comment(rng)
        while text in seen:
            text = unique_comment(rng)
        seen.add(text)
        samples.append(CampaignSample(text))
    rng.shuffle(samples)
    return samples


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text) if part]


def paraphrase(template: str, rng: random.Random) -> str:
    """A copy of ``template`` as a sender would post it: reworded (10 to 30 %
    of its words swapped for a synonym from SYNONYMS, as far as it has words
    there), its sentences reordered (shuffled, in half of the copies),
    shortened (up to a quarter of the sentences dropped, in half), padded (one
    or two personal sentences from PADDING at the start or end, in half), and
    noisy (each of: accents dropped, all in lower case, a sentence in
    capitals, doubled spaces, punctuation dropped or doubled, in one copy in
    five)."""
    sentences = _sentences(template)
    words_in = sum(len(sentence.split()) for sentence in sentences)
    swaps = round(words_in * rng.uniform(0.10, 0.30))
    places = [
        (row, column)
        for row, sentence in enumerate(sentences)
        for column, word in enumerate(sentence.split())
        if _bare(word).lower() in SYNONYMS
    ]
    split = [sentence.split() for sentence in sentences]
    for row, column in rng.sample(places, min(swaps, len(places))):
        word = split[row][column]
        bare = _bare(word)
        other = rng.choice(SYNONYMS[bare.lower()])
        if bare[0].isupper():
            other = other[0].upper() + other[1:]
        split[row][column] = word.replace(bare, other)
    sentences = [" ".join(words) for words in split]
    if rng.random() < 0.5:
        rng.shuffle(sentences)
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, max(1, len(sentences) // 4))):
            sentences.pop(rng.randrange(len(sentences)))
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 2)):
            pad = _fill_pad(rng, rng.choice(PADDING))
            if rng.random() < 0.5:
                sentences.insert(0, pad)
            else:
                sentences.append(pad)
    text = " ".join(sentences)
    return _noise(text, rng)


def _bare(word: str) -> str:
    return word.strip(".,:;¿?¡!«»\"'()")


def _fill_pad(rng: random.Random, pad: str) -> str:
    name = f"{rng.choice(FIRST_NAMES).title()} {rng.choice(SURNAMES).title()}"
    return pad.format(role=rng.choice(ROLES), place=rng.choice(PLACES), name=name)


_ACCENTS = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")


def _noise(text: str, rng: random.Random) -> str:
    if rng.random() < 0.2:
        text = text.translate(_ACCENTS)
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.2:
        sentences = _sentences(text)
        row = rng.randrange(len(sentences))
        sentences[row] = sentences[row].upper()
        text = " ".join(sentences)
    if rng.random() < 0.2:
        text = re.sub(r" ", lambda _m: "  " if rng.random() < 0.3 else " ", text)
    if rng.random() < 0.2:
        text = text.replace(".", rng.choice(["", "!!", "...", " ."]))
    return text


def unique_comment(rng: random.Random) -> str:
    """A comment of one person's own: SHORT_SHARE of them one short sentence
    (now and then with a sentence of their own after it); the others two to
    seven sentences, an opener of the screening texts first in a third of
    them, each sentence one of the screening texts' SENTENCES (one in ten) or
    built from a subject, a verb, a matter, a qualifier and a reason (10 x 12 x
    20 x 25 x 10 combinations), all filled in: people do not write the same
    sentences."""
    if rng.random() < SHORT_SHARE:
        text = _fill(rng, rng.choice(SHORT))
        return f"{text} {_own_sentence(rng)}" if rng.random() < 0.3 else text
    parts = [_fill(rng, rng.choice(OPENERS))] if rng.random() < 1 / 3 else []
    for _ in range(rng.randint(2, 7)):
        if rng.random() < 0.1:
            parts.append(_fill(rng, rng.choice(SENTENCES)))
        else:
            parts.append(_own_sentence(rng))
    return " ".join(parts)


def _own_sentence(rng: random.Random) -> str:
    matter = rng.choice(MATTERS)
    if rng.random() < 0.7:
        matter = f"{matter} {rng.choice(QUALIFIERS)}"
    sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {matter} {rng.choice(REASONS)}"
    return _fill(rng, sentence.rstrip() + ".")


def _campaign_figures(ctx: Context, count: int = CAMPAIGN_COMMENTS) -> list[Figure]:
    from moderation import campaigns

    started = time.perf_counter()
    samples = campaign_texts(count)
    pairs = [(index, sample.text) for index, sample in enumerate(samples)]
    ctx.log(
        f"moderation: {len(samples)} campaign texts generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    found = campaigns.detect(pairs)
    seconds = time.perf_counter() - started
    ctx.log(f"moderation: {len(found)} campaigns detected in {seconds:.1f} s; tracing memory")
    tracemalloc.start()
    try:
        traced = campaigns.detect(pairs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if traced != found:
        raise BenchError("campaign detection answered differently when run again")
    recall, false_positives = campaign_scores(samples, found)
    ctx.log(
        f"moderation: campaign sizes {[campaign.size for campaign in found[:8]]}…, "
        f"recall {recall:.4f}, false positives {false_positives:.4f}"
    )
    return [
        Figure("campaign_detection_s", seconds, "s"),
        Figure("campaign_detection_peak_mb", peak / 1e6, "mb", decimals=1),
        Figure("campaign_recall", recall, "ratio", decimals=4),
        Figure("campaign_false_positive_rate", false_positives, "ratio", decimals=4),
    ]


def campaign_scores(samples: list[CampaignSample], found) -> tuple[float, float]:
    """Recall (campaign copies in a campaign most of whose members are copies
    of their template, over all copies) and false-positive rate (unique
    comments in any campaign, over all unique comments)."""
    copies = sum(1 for sample in samples if sample.template is not None)
    uniques = len(samples) - copies
    right = wrong = 0
    for campaign in found:
        templates = Counter(samples[index].template for index in campaign.members)
        wrong += templates.get(None, 0)
        majority, members = templates.most_common(1)[0]
        if majority is not None and members * 2 > campaign.size:
            right += members
    return (right / copies if copies else 1.0), (wrong / uniques if uniques else 0.0)
