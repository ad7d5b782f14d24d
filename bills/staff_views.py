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
from bills.forms import BillDetailsForm, BillImportForm
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


@login_required
@require_http_methods(["GET", "POST"])
def staff_bill_import(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
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
