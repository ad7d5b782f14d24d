from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders every form, ours and allauth's, with the same accessible markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def item_key(raw: str, kinds) -> tuple[str, int, str] | None:
    """A chosen item's ``kind:pk`` as sent by a form (``kind:pk:rest``: with
    ``rest``, else ""), or None unless the kind is one of ``kinds`` and the key
    a number a database key can hold."""
    kind, _sep, rest = raw.partition(":")
    pk, _sep, tail = rest.partition(":")
    if kind not in kinds or not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return None
    return kind, int(pk), tail
