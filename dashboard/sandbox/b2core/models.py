"""The B2Core sandbox's tables (app label "sandbox_b2core", so they live on the "sandbox" DB).

Everything a real B2Core host would keep server-side: clients, their two 2FA methods, the
change log the Back Office audits, issued tokens, open wizards, sign-in throttling and the
codes it "sent" (so tests can read them back instead of receiving an SMS).
"""

from __future__ import annotations

from django.db import models


class Provider(models.TextChoices):
    GOOGLE = "google", "Google Authenticator"
    SMS = "sms", "SMS Confirmation"


class Client(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True)  # E.164 with "+"
    create_time = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["create_time"], name="b2core_client_ctime")]

    def __str__(self) -> str:
        return f"{self.id} {self.email}"


class Method(models.Model):
    """One 2FA method of one client; every client has exactly one row per provider."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="methods")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    is_enabled = models.BooleanField(default=False)
    secret = models.CharField(max_length=64, blank=True)  # TOTP key, base32 (google)
    phone = models.CharField(max_length=20, blank=True)  # where codes go (sms)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "provider"], name="b2core_method_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.provider}={self.is_enabled}"


class Change(models.Model):
    """One enable or disable of a method: the history the dashboard audits."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="changes")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    is_enabled = models.BooleanField()
    time = models.DateTimeField()
    # Not in B2Core's documented body; the spec says extra fields may appear and must be kept.
    actor = models.CharField(max_length=254)  # "client" or "admin:<email>"

    class Meta:
        indexes = [models.Index(fields=["client", "time"], name="b2core_change_client_time")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.provider}={self.is_enabled}@{self.time}"


class Audience(models.TextChoices):
    ADMIN = "admin"  # Back Office API
    CLIENT = "client"  # client-side ("my") API


class TokenKind(models.TextChoices):
    ACCESS = "access"
    REFRESH = "refresh"


class Token(models.Model):
    token = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    admin_email = models.CharField(max_length=254, blank=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.audience}:{self.kind}"


class WizardKind(models.TextChoices):
    SIGNIN = "signin"
    ENABLE = "enable"
    DISABLE = "disable"
    CHALLENGE = "challenge"


class Wizard(models.Model):
    """An open multi-step procedure, addressed by its uuid (a challenge's uuid is its token)."""

    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=10, choices=WizardKind.choices)
    workflow = models.CharField(max_length=40)  # the step the client is expected to take next
    client = models.ForeignKey(Client, on_delete=models.CASCADE, null=True, blank=True)
    provider = models.CharField(max_length=10, choices=Provider.choices, blank=True)
    key = models.CharField(max_length=64, blank=True)  # TOTP key offered by an enable wizard
    phone = models.CharField(max_length=20, blank=True)
    code = models.CharField(max_length=10, blank=True)  # the last code sent, if any
    code_expires_at = models.DateTimeField(null=True, blank=True)
    sends = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)  # wrong codes so far
    expires_at = models.DateTimeField()
    done = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.kind}:{self.workflow}:{self.uuid}"


class SigninFailure(models.Model):
    """A failed sign-in, counted per (audience, email) for throttling."""

    audience = models.CharField(max_length=10, choices=Audience.choices)
    email = models.CharField(max_length=254)
    time = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["audience", "email", "time"], name="b2core_failure")]

    def __str__(self) -> str:
        return f"{self.audience}:{self.email}@{self.time}"


class SigninBlock(models.Model):
    audience = models.CharField(max_length=10, choices=Audience.choices)
    email = models.CharField(max_length=254)
    until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audience", "email"], name="b2core_block_once")
        ]

    def __str__(self) -> str:
        return f"{self.audience}:{self.email} until {self.until}"


class SentCode(models.Model):
    """A code the sandbox "sent" by SMS (or e-mail, for challenges): the outbox tests read."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, null=True, blank=True)
    channel = models.CharField(max_length=10)  # "sms" or "email"
    destination = models.CharField(max_length=254)
    code = models.CharField(max_length=10)
    purpose = models.CharField(max_length=40)  # the wizard workflow that sent it
    wizard_uuid = models.UUIDField()
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["destination"], name="b2core_sent_destination")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.destination}"


class SpentTotpStep(models.Model):
    """The newest TOTP time step accepted for a key: a code is good once (RFC 6238, 5.2)."""

    # SHA-256 of the key: the sandbox keeps no second copy of a secret it need not hold.
    key_digest = models.CharField(max_length=64, unique=True)
    step = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key_digest[:8]}…@{self.step}"
