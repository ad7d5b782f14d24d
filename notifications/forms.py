from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import DigestFrequency


class PreferencesForm(forms.Form):
    """The two switches, and a frequency for each bill the person follows
    (``follow_<bill id>`` fields, made from their follows)."""

    about_my_contributions = forms.BooleanField(
        label=_("Emails about my contributions (moderators' decisions, replies)"),
        required=False,
    )
    staff_summary = forms.BooleanField(label=_("The daily summary for staff"), required=False)

    def __init__(self, *args, follows=(), staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["staff_summary"]
        self.follows = list(follows)
        for follow in self.follows:
            self.fields[f"follow_{follow.bill_id}"] = forms.ChoiceField(
                label=f"{follow.bill.number} — {follow.bill.title}",
                choices=DigestFrequency.choices,
                initial=follow.frequency,
            )

    def frequencies(self) -> dict[int, str]:
        return {
            follow.bill_id: self.cleaned_data[f"follow_{follow.bill_id}"] for follow in self.follows
        }
