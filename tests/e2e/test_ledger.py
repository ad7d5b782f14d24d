"""Committee staff answer contributions in the browser: two chosen at once,
the unanswered filter, then the results published and read by anyone."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from consultations import services
from consultations.models import Response
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_the_response_ledger_end_to_end(context, sign_in, committee_staff, browser_log):
    consultation = open_consultation(committee_staff)
    texts = ["Ampliar el plazo a 30 días", "Incluir a los gobiernos regionales", "Otro tema"]
    items = [
        services.comment_submit(author=UserFactory(), consultation=consultation,
                                provision=article(consultation, 1), text=text)
        for text in texts
    ]  # fmt: skip
    TOTP.activate(committee_staff, generate_totp_secret())
    sign_in(context, committee_staff)
    page = context.new_page()
    page.goto(f"/staff/consultations/{consultation.pk}/")
    page.get_by_role("link", name=re.compile("Respuestas a los aportes")).click()

    # Two chosen, one answer for both.
    page.get_by_role("checkbox", name=re.compile(f"Comentario {items[0].pk} ")).check()
    page.get_by_role("checkbox", name=re.compile(f"Comentario {items[1].pk} ")).check()
    page.get_by_label("Resultado").select_option("partial")
    page.get_by_label(re.compile("Motivo")).fill("Se recogió en el nuevo texto del artículo 1.")
    with page.expect_navigation():
        page.get_by_role("button", name="Responder los aportes elegidos").click()
    page.get_by_text("2 aportes respondidos.").wait_for()
    assert Response.objects.filter(outcome="partial").count() == 2

    # What is left to answer.
    page.get_by_label("Mostrar").select_option("unanswered")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrar").click()
    assert page.get_by_text("Otro tema").count() == 1
    assert page.get_by_text("Ampliar el plazo a 30 días").count() == 0

    # The consultation closes and the results are published.
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    page.goto(f"/staff/consultations/{consultation.pk}/responses/")
    page.get_by_label(re.compile("Resumen de los resultados")).fill("Gracias por participar.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publicar los resultados").click()
    page.get_by_role("link", name="Ver los resultados públicos").click()
    page.get_by_role("heading", name=re.compile("Resultados de")).wait_for()
    assert page.get_by_text("Se recogió en el nuevo texto del artículo 1.").count() == 2
    browser_log.assert_clean()
