"""Committee staff's pages: import a text, preview it, publish it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bills import selectors, services
from bills.forms import MAX_UPLOAD_MB, BillDetailsForm, BillImportForm, StageChangeForm
from bills.importers import parse_source
from bills.importers.base import ImportRefused
from bills.models import Bill, BillVersion, VersionStatus
from bills.permissions import can_manage_bills


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_bills(request.user):
        raise PermissionDenied


def _draft_for_manager(request: HttpRequest, pk: int) -> BillVersion:
    _require_manager(request)
    return get_object_or_404(
        BillVersion.objects.select_related("bill"), pk=pk, status=VersionStatus.DRAFT
    )


@login_required
@require_safe
def staff_bill_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    bills = Bill.objects.select_related("origin_chamber").prefetch_related("versions")
    return render(request, "bills/staff/list.html", {"bills": bills.order_by("-updated_at")})


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def staff_bill_import(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    # Refuse an oversized upload before Django reads it to a temporary file.
    if request.method == "POST" and _declared_length(request) > (MAX_UPLOAD_MB + 1) * 2**20:
        context = {
            "form": BillImportForm(),
            "upload_error": _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_MB},
        }
        return render(request, "bills/staff/import.html", context, status=413)
    form = BillImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["source"]
        data = upload.read()
        try:
            result = parse_source(data, source_format=form.source_format)
            version = _store_draft(form, result, data, upload.name, request.user)
        except ImportRefused as refusal:
            form.add_error("source", refusal.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("bills_staff:preview", pk=version.pk)
    return render(request, "bills/staff/import.html", {"form": form})


@transaction.atomic
def _store_draft(form, result, data, name, actor) -> BillVersion:
    number = form.cleaned_data["number"].strip()
    bill = Bill.objects.filter(number=number).first()
    if bill is None:
        bill = services.bill_create(
            number=number,
            title=form.cleaned_data["title"],
            origin_chamber=form.cleaned_data["origin_chamber"],
            proponents=result.metadata.get("proponents", "")[:2000],
            actor=actor,
        )
    return services.bill_version_create(
        bill=bill,
        result=result,
        source_format=form.source_format,
        source_name=name,
        source_bytes=data,
        kind=form.cleaned_data["kind"],
        actor=actor,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft_for_manager(request, pk)
    bill = version.bill
    initial = {
        "title": bill.title,
        "summary": bill.summary,
        "proponents": bill.proponents,
        "committees": list(bill.committees.all()),
        "external_url": bill.external_url,
    }
    form = BillDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.bill_update(bill=bill, **form.cleaned_data)
                services.bill_version_publish(version=version, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The version is published."))
            return redirect("bills:detail", slug=bill.slug)
    roots = selectors.provision_tree(version)
    context = {
        "version": version,
        "bill": bill,
        "form": form,
        "provisions": selectors.in_document_order(roots),
        "toc": selectors.table_of_contents(roots),
        "report": version.import_report,
    }
    return render(request, "bills/staff/preview.html", context)


@login_required
@require_POST
def staff_version_discard(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft_for_manager(request, pk)
    services.bill_version_discard(version=version)
    messages.success(request, _("The draft was deleted."))
    return redirect("bills_staff:list")


@login_required
@require_http_methods(["GET", "POST"])
def staff_bill_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A bill's versions and stages, and the form that records a stage change."""
    _require_manager(request)
    bill = get_object_or_404(Bill.objects.select_related("origin_chamber"), slug=slug)
    form = StageChangeForm(request.POST or None, initial={"stage": bill.stage})
    if request.method == "POST" and form.is_valid():
        services.bill_change_stage(bill=bill, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The stage change is recorded."))
        return redirect("bills_staff:detail", slug=bill.slug)
    context = {
        "bill": bill,
        "form": form,
        "versions": bill.versions.order_by("number"),
        "changes": bill.stage_changes.select_related("recorded_by").order_by("happened_on"),
    }
    return render(request, "bills/staff/detail.html", context)
