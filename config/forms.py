from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders every form, ours and allauth's, with the same accessible markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
