from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import item_key
from consultations.models import Consultation, ConsultationStatus
from moderation.models import DECISIONS, DecisionReason, Rule, ScreenedKind
from moderation.selectors import APPEALED, FLAGGED, IN_CAMPAIGN
from moderation.services import CAMPAIGN_KINDS

MAX_ITEMS = 100  # items one decision may name (a page of the queue)


class QueueFilterForm(forms.Form):
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.exclude(status=ConsultationStatus.DRAFT).order_by(
            "-opens_at"
        ),
        required=False,
        empty_label=_("All"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *ScreenedKind.choices], required=False
    )
    rule = forms.ChoiceField(
        label=_("Found by screening"),
        choices=[
            ("", _("Any")),
            *Rule.choices,
            (FLAGGED, _("Flagged by citizens")),
            (IN_CAMPAIGN, _("In a campaign")),
            (APPEALED, _("Appealed by the author")),
        ],
        required=False,
    )
    older_than_hours = forms.IntegerField(
        label=_("Waiting at least (hours)"), min_value=1, max_value=24 * 365, required=False
    )


class DecisionForm(forms.Form):
    """One action on one item or many: each ``item`` is ``kind:pk:status`` as
    the moderator saw it (so a change made meanwhile is noticed)."""

    action = forms.ChoiceField(
        label=_("Action"), choices=[(action.value, action.label) for action in DECISIONS]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *DecisionReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note for the log (optional)"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    item = forms.CharField(required=False)  # read with getlist in clean_items

    def __init__(self, *args, items: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_items = items or []

    def clean(self):
        cleaned = super().clean()
        if not self.raw_items:
            raise forms.ValidationError(_("Choose at least one item."), code="no_items")
        if len(self.raw_items) > MAX_ITEMS:
            raise forms.ValidationError(
                _("Decide on at most %(limit)d items at once.") % {"limit": MAX_ITEMS}
            )
        parsed = []
        for raw in self.raw_items:
            key = item_key(raw, ScreenedKind.values)  # kind:pk:status seen
            if key is None or len(key[2]) > 20:
                raise forms.ValidationError(_("An item in the request is not valid."))
            parsed.append(key)
        cleaned["items"] = list(dict.fromkeys(parsed))
        return cleaned


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the decision change?"),
        help_text=_(
            "Only moderators read this. Another moderator, not the one who decided, looks again."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CampaignFilterForm(forms.Form):
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.exclude(status=ConsultationStatus.DRAFT).order_by(
            "-opens_at"
        ),
        required=False,
        empty_label=_("All"),
    )


MAX_MEMBERS = 100  # texts one split or release may name from the page (of 50)


class CampaignMembersForm(forms.Form):
    """The texts a moderator chose on a campaign's page: each ``member`` is
    ``kind:pk``."""

    def __init__(self, *args, members: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_members = members or []

    def clean(self):
        cleaned = super().clean()
        if not self.raw_members:
            raise forms.ValidationError(_("Choose at least one text."), code="no_members")
        if len(self.raw_members) > MAX_MEMBERS:
            raise forms.ValidationError(
                _("Choose at most %(limit)d texts at once.") % {"limit": MAX_MEMBERS},
                code="too_many",
            )
        members = []
        for raw in self.raw_members:
            key = item_key(raw, CAMPAIGN_KINDS)
            if key is None or key[2]:
                raise forms.ValidationError(
                    _("A text in the request is not valid."), code="invalid_member"
                )
            members.append(key[:2])
        cleaned["members"] = list(dict.fromkeys(members))
        return cleaned
