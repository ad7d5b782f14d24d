"""Committee staff's pages: create, edit, schedule, extend and close consultations.

Every change goes through ``consultations.services``, which checks permission
again; these views only decide who sees the pages and which consultation a URL
names: one of the person's committees, or 404 (another committee's consultation
looks the same as a missing one).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from bills.permissions import can_manage_bills
from consultations import services, staff_selectors
from consultations.models import Consultation, ConsultationStatus
from consultations.permissions import can_manage_consultation
from consultations.staff_forms import (
    ConsultationCreateForm,
    ConsultationDetailsForm,
    ConsultationExtendForm,
    ConsultationWindowForm,
    LedgerFilterForm,
    ReportRequestForm,
    ResponseForm,
    ResultsForm,
    details_initial,
)

PAGE_SIZE = 25


def _require_staff(request: HttpRequest) -> None:
    # Committee staff and administrators: the people who run consultations.
    if not can_manage_bills(request.user):
        raise PermissionDenied


def _consultation_for_staff(request: HttpRequest, pk: int) -> Consultation:
    _require_staff(request)
    consultation = get_object_or_404(
        Consultation.objects.select_related("version__bill", "committee__chamber"), pk=pk
    )
    if not can_manage_consultation(request.user, consultation):
        raise Http404
    return consultation


def _attach(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's errors next to the fields they name, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_consultation_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    consultations = staff_selectors.consultations_for_staff(request.user)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/staff/list.html", {"page": page})


def _create_initial(request: HttpRequest) -> dict:
    """Fills in the version, its committee and its title when the bill page
    linked here; a version the person may not consult is ignored."""
    version_id = request.GET.get("version", "")
    if not version_id.isdigit():
        return {}
    form = ConsultationCreateForm(user=request.user)
    version = form.fields["version"].queryset.filter(pk=version_id).first()
    if version is None:
        return {}
    committees = form.fields["committee"].queryset.filter(bills=version.bill_id)
    initial = {"version": version, "title": version.bill.title}
    if len(committees) == 1:
        initial["committee"] = committees[0]
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_consultation_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ConsultationCreateForm(
        request.POST or None, user=request.user, initial=_create_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        draft = request.POST.get("action") != "schedule"
        try:
            consultation = services.consultation_create(
                actor=request.user, draft=draft, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            if draft:
                messages.success(request, _("The draft is saved. It is not public yet."))
            else:
                messages.success(request, _("The consultation is scheduled."))
            return redirect("consultations_staff:detail", pk=consultation.pk)
    return render(request, "consultations/staff/create.html", {"form": form})


def _edit_form_class(consultation: Consultation) -> type[forms.Form] | None:
    if consultation.status in services.EDITABLE_DATES:
        return ConsultationWindowForm
    if consultation.status in services.EDITABLE:
        return ConsultationDetailsForm
    return None  # closed: read-only


def _detail(request, consultation, *, form=None, extend_form=None, status=200) -> HttpResponse:
    form_class = _edit_form_class(consultation)
    if form is None and form_class is not None:
        form = form_class(initial=details_initial(consultation))
    if extend_form is None and consultation.status == ConsultationStatus.OPEN:
        extend_form = ConsultationExtendForm(initial={"closes_at": consultation.closes_at})
    counts = staff_selectors.with_counts(Consultation.objects.filter(pk=consultation.pk)).values(
        "comment_count", "proposal_count", "vote_count"
    )[0]
    context = {
        "consultation": consultation,
        "form": form,
        "extend_form": extend_form,
        "counts": counts,
        "is_public": consultation.status != ConsultationStatus.DRAFT,
    }
    return render(request, "consultations/staff/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultation's facts and the form that edits what its status allows."""
    consultation = _consultation_for_staff(request, pk)
    if request.method != "POST":
        return _detail(request, consultation)
    form_class = _edit_form_class(consultation)
    if form_class is None:
        messages.error(request, _("A closed consultation cannot be changed."))
        return redirect("consultations_staff:detail", pk=consultation.pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.consultation_update(
                actor=request.user, consultation=consultation, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("consultations_staff:detail", pk=consultation.pk)
    return _detail(request, consultation, form=form)


@login_required
@require_POST
def staff_consultation_extend(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation_for_staff(request, pk)
    form = ConsultationExtendForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_extend(
                actor=request.user, consultation=consultation, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The closing time is now later."))
            return redirect("consultations_staff:detail", pk=consultation.pk)
    return _detail(request, consultation, extend_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for confirmation; only the POST closes."""
    consultation = _consultation_for_staff(request, pk)
    if request.method == "POST":
        try:
            services.consultation_close_early(actor=request.user, consultation=consultation)
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("The consultation is closed."))
        return redirect("consultations_staff:detail", pk=consultation.pk)
    return render(request, "consultations/staff/close.html", {"consultation": consultation})


@login_required
@require_POST
def staff_consultation_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation_for_staff(request, pk)
    try:
        services.consultation_schedule(actor=request.user, consultation=consultation)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The consultation is scheduled and now public."))
    return redirect("consultations_staff:detail", pk=consultation.pk)


@login_required
@require_POST
def staff_consultation_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation_for_staff(request, pk)
    try:
        services.consultation_unschedule(actor=request.user, consultation=consultation)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The consultation is a draft again and no longer public."))
    return redirect("consultations_staff:detail", pk=consultation.pk)


LEDGER_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_consultation_responses(request: HttpRequest, pk: int) -> HttpResponse:
    """The response ledger (*matriz de aportes*): every published comment and
    proposal with the committee's answer; answer one, a selection or a whole
    campaign at once; filter for those not answered yet."""
    consultation = _consultation_for_staff(request, pk)
    if request.method == "POST":
        return _answer(request, consultation)
    filters = LedgerFilterForm(request.GET or None, consultation=consultation)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    provision = chosen.get("provision")
    rows = staff_selectors.ledger(
        consultation,
        kind=chosen.get("kind") or "",
        state=chosen.get("state") or "",
        provision_id=provision.pk if provision else None,
    )
    page = Paginator(rows, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/staff/responses.html",
        {
            "consultation": consultation,
            "filters": filters,
            "page": page,
            "rows": staff_selectors.ledger_rows(page.object_list),
            "figures": staff_selectors.ledger_figures(consultation),
            "form": ResponseForm(),
            "results_form": ResultsForm(initial={"results_summary": consultation.results_summary}),
        },
    )


def _answer(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    back = request.POST.get("next") or ""
    mine = reverse("consultations_staff:responses", args=[consultation.pk])
    if not (back.startswith(mine) and url_has_allowed_host_and_scheme(back, None)):
        back = mine
    form = ResponseForm(request.POST, items=request.POST.getlist("item"))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    items = form.cleaned_data["items"]
    if form.cleaned_data.get("campaign"):
        items = staff_selectors.campaign_items(consultation, form.cleaned_data["campaign"])
    try:
        count = services.responses_set(
            actor=request.user,
            consultation=consultation,
            items=items,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            ngettext("%(count)d contribution answered.", "%(count)d contributions answered.", count)
            % {"count": count},
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_consultation_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a report, follow its building, download it and earlier ones."""
    consultation = _consultation_for_staff(request, pk)
    form = ReportRequestForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_request(actor=request.user, consultation=consultation,
                                    **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(
                request, _("The report is being built; this page shows when it is ready.")
            )
        return redirect("consultations_staff:reports", pk=consultation.pk)
    reports = consultation.reports.select_related("requested_by")[:50]
    building = any(report.status in ("queued", "building") for report in reports)
    return render(
        request,
        "consultations/staff/reports.html",
        {"consultation": consultation, "form": form, "reports": reports, "building": building},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_report_download(request: HttpRequest, pk: int, report: int) -> FileResponse:
    """A built report, for the consultation's committee staff and administrators."""
    consultation = _consultation_for_staff(request, pk)
    found = get_object_or_404(consultation.reports, pk=report, status="ready")
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.file.name.rsplit("/", 1)[-1]
    )
    response["X-Content-SHA256"] = found.sha256
    return response


@login_required
@require_POST
def staff_results_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publishes (or updates the summary of) a closed consultation's results."""
    consultation = _consultation_for_staff(request, pk)
    form = ResultsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        try:
            services.results_publish(
                actor=request.user,
                consultation=consultation,
                summary=form.cleaned_data["results_summary"],
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("The results are public."))
    return redirect("consultations_staff:responses", pk=consultation.pk)
