from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bills import selectors
from bills.diff import render_diff_html, word_diff
from bills.forms import BillFilterForm
from consultations.selectors import consultations_of_bill


@require_safe
def bill_list(request: HttpRequest) -> HttpResponse:
    form = BillFilterForm(request.GET or None)
    bills = selectors.bill_list(**form.filters())
    page = Paginator(bills, 20).get_page(request.GET.get("page"))
    return render(request, "bills/list.html", {"form": form, "page": page})


def _version_number(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise Http404
    return int(raw)


@require_safe
def bill_detail(request: HttpRequest, slug: str) -> HttpResponse:
    bill = selectors.bill_for_page(slug)
    version = selectors.published_version(bill, _version_number(request.GET.get("version")))
    roots = selectors.provision_tree(version)
    context = {
        "bill": bill,
        "version": version,
        "provisions": selectors.in_document_order(roots),
        "toc": selectors.table_of_contents(roots),
        "version_pairs": list(
            zip(bill.published_versions, [None, *bill.published_versions], strict=False)
        ),
        "consultations": consultations_of_bill(bill),
    }
    return render(request, "bills/detail.html", context)


@require_safe
def bill_diff(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    bill = selectors.bill_for_page(slug)
    old_version = selectors.published_version(bill, old)
    new_version = selectors.published_version(bill, new)
    rows = selectors.version_comparison(old_version, new_version)
    only_changes = request.GET.get("show") == "changes"
    if only_changes:
        rows = [row for row in rows if row.status != "unchanged"]
    for row in rows:
        row.diff_html = render_diff_html(word_diff(row.old_text, row.new_text))
    context = {
        "bill": bill,
        "old": old_version,
        "new": new_version,
        "rows": rows,
        "only_changes": only_changes,
    }
    return render(request, "bills/diff.html", context)


@require_safe
def bill_version_akn(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The published version as Akoma Ntoso XML, for download."""
    from bills.akn import version_to_akn

    bill = selectors.bill_for_page(slug)
    version = selectors.published_version(bill, number)
    response = HttpResponse(version_to_akn(version), content_type="application/akn+xml")
    response["Content-Disposition"] = f'attachment; filename="{bill.slug}-v{version.number}.xml"'
    return response
