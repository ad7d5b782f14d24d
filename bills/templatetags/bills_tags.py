from django import template

register = template.Library()

HEADED_KINDS = {
    "header",
    "preamble",
    "formula",
    "part",
    "title",
    "chapter",
    "subchapter",
    "section",
    "article",
    "provisions_group",
    "provision",
    "explanatory_statement",
}


@register.filter
def heading_level(provision) -> int:
    """h2 for the outermost provisions, one level deeper per level of nesting."""
    return min(provision.depth + 2, 6)


@register.filter
def is_headed(provision) -> bool:
    return provision.kind in HEADED_KINDS
