from __future__ import annotations

from django import forms

from dashboard.verifications.service_catalog import normalise_service_id


class RegisterServiceForm(forms.Form):
    service_id = forms.CharField(
        label="Service ID",
        max_length=64,
        help_text="32 hexadecimal characters, as shown in the Wavix portal.",
    )
    name = forms.CharField(label="Name (optional)", max_length=200, required=False)

    def clean_service_id(self) -> str:
        service_id = normalise_service_id(self.cleaned_data["service_id"])
        if service_id is None:
            raise forms.ValidationError(
                "A Wavix service ID is 32 hexadecimal characters (0-9, a-f)."
            )
        return service_id


class UnwatchServiceForm(forms.Form):
    sessions = forms.ChoiceField(
        choices=[
            ("keep", "Keep its mirrored sessions"),
            ("purge", "Delete its mirrored sessions"),
        ],
        widget=forms.RadioSelect,
        initial="keep",
    )
