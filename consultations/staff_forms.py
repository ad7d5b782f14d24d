"""Forms of the committee staff's consultation pages.

They only parse input; the rules (who may, which dates, which version) are in
``consultations.services``, whose errors the views attach to these forms.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from bills.models import BillVersion, Provision, VersionStatus
from config.forms import item_key
from consultations.models import (
    Consultation,
    ModerationPolicy,
    ParticipationLevel,
    ReportFormat,
    ResponseOutcome,
)
from consultations.permissions import manageable_committees

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Far-off years are typing mistakes, and beyond 9999 the conversion to UTC overflows.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input, read in the site's time zone (America/Lima)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)

    def to_python(self, value) -> datetime | None:
        moment = super().to_python(value)
        if moment is not None and not EARLIEST_YEAR <= moment.year < LATEST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between the years %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR - 1},
                code="out_of_range",
            )
        return moment


class QuestionsField(forms.CharField):
    """Guiding questions, one a line; empty lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        ProhibitNullCharactersValidator()(text)  # run here: validators see the list
        # Only line feeds separate questions: Unicode line separators that a
        # question may contain stay part of it.
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return [line.strip() for line in lines if line.strip()]

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def validate(self, value) -> None:
        return None  # optional; lengths and count are the service's rules


class ConsultationDetailsForm(forms.Form):
    """What every editable consultation lets staff change."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("What the consultation is about and what the committee wants to learn."),
    )
    questions = QuestionsField(
        label=_("Guiding questions (optional)"),
        required=False,
        help_text=_("One question a line. Participants see them above the text."),
    )
    moderation_policy = forms.ChoiceField(
        label=_("Moderation"),
        choices=ModerationPolicy.choices,
        widget=forms.RadioSelect,
        initial=ModerationPolicy.POST,
    )
    minimum_level = forms.ChoiceField(
        label=_("Who may take part"),
        choices=ParticipationLevel.choices,
        initial=ParticipationLevel.EMAIL_VERIFIED,
    )


class ConsultationWindowForm(ConsultationDetailsForm):
    """Details plus the dates, for a consultation that has not opened yet."""

    opens_at = LocalDateTimeField(
        label=_("Opens at"), help_text=_("Peru time. Participation opens within a minute of it.")
    )
    closes_at = LocalDateTimeField(label=_("Closes at"), help_text=_("Peru time."))

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The consultation must close after it opens."))
        return data


def _version_label(version: BillVersion) -> str:
    return _("%(number)s, version %(version)d (%(kind)s): %(title)s") % {
        "number": version.bill.number,
        "version": version.number,
        "kind": version.get_kind_display(),
        "title": version.bill.title,
    }


class ConsultationCreateForm(ConsultationWindowForm):
    """A new consultation on a published version of one of the person's committees' bills."""

    field_order = ["committee", "version", "title"]

    committee = forms.ModelChoiceField(label=_("Committee"), queryset=None)
    version = forms.ModelChoiceField(
        label=_("Bill version"),
        queryset=None,
        help_text=_("Published versions of the bills assigned to your committees."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave it empty to use the bill's title."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        committees = manageable_committees(user).select_related("chamber")
        self.fields["committee"].queryset = committees
        self.fields["version"].queryset = (
            BillVersion.objects.filter(
                status=VersionStatus.PUBLISHED, bill__committees__in=committees
            )
            .select_related("bill")
            .distinct()
            .order_by("-bill__updated_at", "bill__number", "-number")
        )
        self.fields["version"].label_from_instance = _version_label

    def clean(self):
        data = super().clean()
        committee, version = data.get("committee"), data.get("version")
        if committee and version and not version.bill.committees.filter(pk=committee.pk).exists():
            self.add_error("version", _("This bill is not assigned to the chosen committee."))
        if version and not data.get("title"):
            data["title"] = version.bill.title
        return data


class ConsultationExtendForm(forms.Form):
    closes_at = LocalDateTimeField(
        label=_("New closing time"), help_text=_("Peru time. Later than the current one.")
    )


def details_initial(consultation: Consultation) -> dict:
    return {
        "title": consultation.title,
        "description": consultation.description,
        "questions": consultation.questions,
        "moderation_policy": consultation.moderation_policy,
        "minimum_level": consultation.minimum_level,
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
    }


# --- The response ledger -------------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("", _("All")),
            ("unanswered", _("Not answered yet")),
            ("answered", _("Answered")),
            *ResponseOutcome.choices,
        ],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), ("comment", _("Comments")), ("proposal", _("Proposals"))],
        required=False,
    )
    provision = forms.ModelChoiceField(
        label=_("Provision"), queryset=Provision.objects.none(), required=False,
        empty_label=_("All"),
    )  # fmt: skip

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = consultation.version.provisions.filter(
            kind="article"
        ).order_by("order")


class ResponseForm(forms.Form):
    """One answer for the chosen contributions (``item`` values ``kind:pk``),
    or for a campaign's texts (``campaign``)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=ResponseOutcome.choices)
    reason = forms.CharField(
        label=_("Reason (shown to the author)"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[ProhibitNullCharactersValidator()],
    )
    campaign = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, items: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_items = items or []

    def clean(self):
        data = super().clean()
        if len(self.raw_items) > 1000:
            raise forms.ValidationError(_("Answer at most 1000 contributions at once."))
        parsed = []
        for raw in self.raw_items:
            key = item_key(raw, ("comment", "proposal"))
            if key is None or key[2]:
                raise forms.ValidationError(_("A contribution in the request is not valid."))
            parsed.append(key[:2])
        if not parsed and not data.get("campaign"):
            raise forms.ValidationError(_("Choose at least one contribution."), code="no_items")
        data["items"] = parsed
        return data


class ReportRequestForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ResultsForm(forms.Form):
    results_summary = forms.CharField(
        label=_("Summary of the results (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[ProhibitNullCharactersValidator()],
    )
