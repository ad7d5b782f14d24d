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


def open_href(page_url: str, key: str, show: str, sort: str = "", page="") -> str:
    """The consultation page (at ``page_url``) with one unit's discussion open;
    works without JavaScript."""
    return f"{page_url}?open={key}&{_query(show, sort, page)}#unit-{key}"


def unit_href(page_url: str, key: str, show: str, sort: str = "", page="") -> str:
    """The unit's block alone (``consultations:unit``), for htmx to swap in."""
    return f"{page_url}unit/{key}/?{_query(show, sort, page)}"


@register.simple_tag
def open_url(consultation, key: str, show: str, sort: str = "", page="") -> str:
    return open_href(reverse("consultations:detail", args=[consultation.pk]), key, show, sort, page)


@register.simple_tag
def unit_url(consultation, key: str, show: str, sort: str = "", page="") -> str:
    return unit_href(reverse("consultations:detail", args=[consultation.pk]), key, show, sort, page)


@register.simple_tag
def word_diff(old: str, new: str) -> SafeString:
    return render_diff_html(diff_words(old, new))


@register.filter
def unit_label(provision) -> str:
    return provision.label.rstrip(".-–—: ") or provision.heading or provision.get_kind_display()


@register.filter
def item_kind(item) -> str:
    return "comment" if isinstance(item, Comment) else "proposal"
