from django import template

from bills.selectors import TOC_KINDS

register = template.Library()

# The kinds that carry a heading are the ones the table of contents lists.
HEADED_KINDS = TOC_KINDS


@register.filter
def heading_level(provision) -> int:
    """h2 for the outermost provisions, one level deeper per level of nesting."""
    return min(provision.depth + 2, 6)


@register.filter
def is_headed(provision) -> bool:
    return provision.kind in HEADED_KINDS
