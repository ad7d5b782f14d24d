from django import forms
from django.utils.translation import gettext_lazy as _

from bills.importers.base import MAX_SOURCE_BYTES
from bills.models import Bill, BillStage, Chamber, Committee, VersionKind


class BillFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    chamber = forms.ModelChoiceField(
        label=_("Chamber"),
        queryset=Chamber.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All chambers"),
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.filter(is_active=True).select_related("chamber"),
        required=False,
        to_field_name="slug",
        empty_label=_("All committees"),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *BillStage.choices], required=False
    )

    def filters(self) -> dict[str, str]:
        """The valid filters as plain strings; an invalid one is ignored."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "chamber": data["chamber"].slug if data["chamber"] else "",
            "committee": data["committee"].slug if data["committee"] else "",
            "stage": data["stage"],
        }


ALLOWED_EXTENSIONS = {".txt": "text", ".md": "text", ".docx": "docx", ".pdf": "pdf", ".xml": "akn"}
MAX_UPLOAD_MB = MAX_SOURCE_BYTES // 2**20


class BillImportForm(forms.Form):
    """Step one of an import: the file, and which bill it is a text of."""

    source = forms.FileField(
        label=_("File"),
        help_text=_(
            "The bill as Word (.docx), PDF with a text layer, Akoma Ntoso (.xml), "
            "or plain text or Markdown (.txt, .md), up to 20 MB."
        ),
    )
    number = forms.CharField(
        label=_("Bill number"),
        max_length=40,
        help_text=_("Such as 1234/2025-CR. An existing bill gets a new version."),
    )
    title = forms.CharField(label=_("Title (new bills only)"), max_length=500, required=False)
    origin_chamber = forms.ModelChoiceField(
        label=_("Chamber of origin (new bills only)"),
        queryset=Chamber.objects.all(),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind of text"), choices=VersionKind.choices)

    def clean_source(self):
        upload = self.cleaned_data["source"]
        extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                _("Use a .docx, .pdf, .xml, .txt or .md file."), code="extension"
            )
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_MB},
                code="too_large",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        self.source_format = ALLOWED_EXTENSIONS[extension]
        return upload

    def clean(self):
        data = super().clean()
        number = (data.get("number") or "").strip()
        if number and not Bill.objects.filter(number=number).exists():
            if not data.get("title"):
                self.add_error("title", _("A new bill needs a title."))
            if not data.get("origin_chamber"):
                self.add_error("origin_chamber", _("A new bill needs its chamber of origin."))
        return data


class BillDetailsForm(forms.Form):
    """Step two: the bill's details, checked against the preview before publishing."""

    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    proponents = forms.CharField(label=_("Proponents"), max_length=2000, required=False)
    committees = forms.ModelMultipleChoiceField(
        label=_("Committees"),
        queryset=Committee.objects.filter(is_active=True).select_related("chamber"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_url = forms.URLField(
        label=_("Record on the parliament's site"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )


class StageChangeForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=BillStage.choices)
    happened_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
