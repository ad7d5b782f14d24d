"""Links and small pieces of the consultation page."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from bills.diff import render_diff_html
from bills.diff import word_diff as diff_words
from consultations.models import Comment

register = template.Library()


def _query(show: str, sort: str, page) -> str:
    query = {"show": show}
    if sort and sort != "supported":
        query["sort"] = sort
    if page and str(page) != "1":
        query["page"] = page
    return urlencode(query)


@register.simple_tag
def open_url(consultation, key: str, show: str, sort: str = "", page="") -> str:
    """The page with this unit's discussion open (works without JavaScript)."""
    url = reverse("consultations:detail", args=[consultation.pk])
    return f"{url}?open={key}&{_query(show, sort, page)}#unit-{key}"


@register.simple_tag
def unit_url(consultation, key: str, show: str, sort: str = "", page="") -> str:
    """The unit's block alone, for htmx to swap in."""
    url = reverse("consultations:unit", args=[consultation.pk, key])
    return f"{url}?{_query(show, sort, page)}"


@register.simple_tag
def word_diff(old: str, new: str) -> SafeString:
    return render_diff_html(diff_words(old, new))


@register.filter
def unit_label(provision) -> str:
    return provision.label.rstrip(".-–—: ") or provision.heading or provision.get_kind_display()


@register.filter
def item_kind(item) -> str:
    return "comment" if isinstance(item, Comment) else "proposal"
