"""Deterministic B2Core data: clients, their 2FA state, and a history that leads to it.

Same seed, same count, same ``now`` → the same rows. Each provider's history alternates
enable/disable and ends in the client's current state; some disables were an admin's.
"""

from __future__ import annotations

import base64
import random
import unicodedata
from datetime import datetime, timedelta

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import Change, Client, Method, Provider
from dashboard.sandbox.routers import SANDBOX_DB


def _words(text: str) -> tuple[str, ...]:
    # Word lists stay compact as one string each, split once at import.
    return tuple(text.split())


FIRST = _words(
    "Olivia Liam Emma Noah Ava Elijah Sofia Lucas Mia Mateo Amelia Levi Isabella Leo Aria "
    "Ethan Chloe Hugo Lea Jonas Anna Luca Giulia Marco Elena Ivan Maria Pavel Olga Dmitri "
    "Yuki Haruto Mei Wei Priya Arjun Fatima Omar Aisha Yusuf Sara David Hannah Tomas Zoe "
    "Mateus Camila Diego Lucia Kofi Amara Nia Lars Freya Mikkel Ingrid Jan Katarzyna Piotr"
)
LAST = _words(
    "Smith Johnson Garcia Müller Schmidt Rossi Bianchi Dubois Martin Novak Kowalski Ivanov "
    "Petrova Sokolov Tanaka Sato Suzuki Chen Wang Li Kim Park Nguyen Tran Patel Sharma Khan "
    "Hussein Haddad Cohen Levi Silva Santos Oliveira Fernández López Mensah Okafor Larsen "
    "Hansen Johansson Nielsen Horvat Popescu Georgiou Yilmaz Demir O'Brien Murphy Walsh"
)
DOMAINS = ("example.com", "mail.example", "inbox.example", "trader.example", "fx.example")
# (country calling code, national digits) for plausible E.164 numbers.
PHONE_PLANS = (("44", 10), ("49", 11), ("33", 9), ("34", 9), ("39", 10), ("357", 8), ("971", 9))
# Current state: (google, sms) and its weight.
STATES: tuple[tuple[bool, bool], ...] = ((False, False), (True, False), (False, True), (True, True))
STATE_WEIGHTS = (45, 25, 15, 15)
STAFF = (credentials.B2CORE_ADMIN_EMAIL, "support@sandbox.example", "risk@sandbox.example")
ADMIN_DISABLE_SHARE = 0.25
CLIENT_AGE_DAYS = 730  # clients joined over the past two years
HISTORY_DAYS = 240  # 2FA changes happened over the past eight months


def _ascii(text: str) -> str:
    """``Fernández`` → ``fernandez``, ``O'Brien`` → ``obrien``: for the e-mail's local part."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _phone(rng: random.Random) -> str:
    country, digits = rng.choice(PHONE_PLANS)
    national = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    return f"+{country}{national}"


def _toggles(rng: random.Random, enabled: bool) -> int:
    """How many changes lead to the current state: odd when on, even (maybe 0) when off."""
    if enabled:
        return rng.choice((1, 1, 1, 3, 3, 5))
    return rng.choice((0, 0, 0, 2, 2, 4))


def _history(
    rng: random.Random, client: Client, provider: Provider, enabled: bool, now: datetime
) -> list[Change]:
    count = _toggles(rng, enabled)
    if count == 0:
        return []
    start = max(client.create_time, now - timedelta(days=HISTORY_DAYS))
    span = max(int((now - start).total_seconds()) - 60, count)
    # Whole seconds, as the wire shows them.
    offsets = sorted(rng.sample(range(span), count))
    changes = []
    for index, offset in enumerate(offsets):
        is_enabled = index % 2 == 0  # the first change is always an enable
        by_admin = not is_enabled and rng.random() < ADMIN_DISABLE_SHARE
        changes.append(
            Change(
                client=client,
                provider=provider,
                is_enabled=is_enabled,
                time=start.replace(microsecond=0) + timedelta(seconds=offset),
                actor=f"admin:{rng.choice(STAFF)}" if by_admin else "client",
            )
        )
    return changes


def seed_b2core(*, seed: int, clients: int, now: datetime) -> int:
    """Create ``clients`` clients with methods and histories; returns how many were made.

    The caller runs it on an empty sandbox database only; rows go in with bulk_create.
    """
    rng = random.Random(seed)
    people: list[Client] = []
    for number in range(1, clients + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # The running number keeps e-mails unique however many clients are asked for.
        email = f"{_ascii(first)}.{_ascii(last)}{number}@{rng.choice(DOMAINS)}"
        joined = now - timedelta(seconds=rng.randint(3600, CLIENT_AGE_DAYS * 86400))
        people.append(
            Client(
                email=email,
                name=f"{first} {last}",
                phone=_phone(rng),
                create_time=joined.replace(microsecond=0),
            )
        )
    # Created in join order, so ids grow with createTime as on a real host.
    people.sort(key=lambda c: c.create_time)
    people = Client.objects.using(SANDBOX_DB).bulk_create(people, batch_size=1000)

    methods: list[Method] = []
    changes: list[Change] = []
    for client in people:
        google, sms = rng.choices(STATES, weights=STATE_WEIGHTS)[0]
        secret = base64.b32encode(rng.randbytes(20)).decode("ascii")
        methods.append(
            Method(client=client, provider=Provider.GOOGLE, is_enabled=google, secret=secret)
        )
        methods.append(
            Method(client=client, provider=Provider.SMS, is_enabled=sms, phone=client.phone)
        )
        changes += _history(rng, client, Provider.GOOGLE, google, now)
        changes += _history(rng, client, Provider.SMS, sms, now)
    Method.objects.using(SANDBOX_DB).bulk_create(methods, batch_size=1000)
    # In time order, so change ids grow with time too.
    changes.sort(key=lambda c: (c.time, c.client.id, c.provider))
    Change.objects.using(SANDBOX_DB).bulk_create(changes, batch_size=1000)
    return len(people)
