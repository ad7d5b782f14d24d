"""Forms of the consultation page. They check shape and length; the rules
(who may take part, what a quote or a proposal must be) live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import DigestFrequency, FlagReason, VoteChoice

REASON_LIMIT = 1000
COMMENT_LIMIT = 5000
QUOTE_LIMIT = 2000
PROPOSAL_LIMIT = 20000
PROPOSAL_REASON_LIMIT = 2000


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(_("Text must not contain NUL characters."), code="null")
    return value


class CleanText(forms.CharField):
    """A text field that refuses NUL bytes with a clear message."""

    def __init__(self, *, limit: int, **kwargs) -> None:
        kwargs.setdefault("widget", forms.Textarea)
        super().__init__(max_length=limit, strip=True, **kwargs)
        self.validators.append(_no_nul)


class UnitField(forms.CharField):
    """The provision's eId, or ``bill`` for the whole bill."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=200, widget=forms.HiddenInput, **kwargs)


class VoteForm(forms.Form):
    unit = UnitField()
    choice = forms.ChoiceField(label=_("Your vote"), choices=VoteChoice.choices, required=False)
    reason = CleanText(
        limit=REASON_LIMIT, required=False, label=_("Why? (optional, public, without your name)")
    )
    withdraw = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("withdraw") and not data.get("choice"):
            self.add_error("choice", _("Choose agree, disagree or abstain."))
        return data


class CommentForm(forms.Form):
    unit = UnitField()
    text = CleanText(limit=COMMENT_LIMIT, label=_("Your comment"))
    quote = CleanText(limit=QUOTE_LIMIT, required=False, label=_("Quoted passage (optional)"))
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ProposalForm(forms.Form):
    unit = UnitField()
    text = CleanText(limit=PROPOSAL_LIMIT, label=_("Your wording"))
    reason = CleanText(limit=PROPOSAL_REASON_LIMIT, required=False, label=_("Why? (optional)"))


class ItemEditForm(forms.Form):
    text = CleanText(limit=PROPOSAL_LIMIT, label=_("Text"))


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=FlagReason.choices, widget=forms.RadioSelect
    )
    detail = CleanText(limit=1000, required=False, label=_("Anything moderators should know"))


class FollowForm(forms.Form):
    frequency = forms.ChoiceField(choices=DigestFrequency.choices)
