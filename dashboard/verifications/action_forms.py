"""The forms behind resend and cancel: each carries its one-time key and a reason."""

from __future__ import annotations

from django import forms

from dashboard.verifications.actions.cancel import REASONS
from dashboard.verifications.actions.resend import CHANNELS


class ResendForm(forms.Form):
    channel = forms.ChoiceField(choices=list(CHANNELS.items()))
    reason = forms.CharField(
        label="Why",
        max_length=300,
        min_length=3,
        strip=True,
        help_text="Recorded in the audit trail, e.g. “user says no SMS arrived”.",
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose…"), *REASONS.items()])
    note = forms.CharField(
        label="Details",
        max_length=300,
        required=False,
        strip=True,
        help_text="Required for “Other”. Recorded in the audit trail.",
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not data.get("note"):
            self.add_error("note", "Say why, when the reason is “Other”.")
        return data

    def reason_text(self) -> str:
        reason = REASONS[self.cleaned_data["reason"]]
        note = self.cleaned_data.get("note") or ""
        return f"{reason}: {note}" if note else reason


class BulkCancelForm(CancelForm):
    # A bulk starts once, from its draft: the draft's state is the one-time guard.
    key = None  # type: ignore[assignment]
