"""Deterministic sandbox data: the same seed and anchor day always give the same rows.

Sessions are spread over ``days`` whole UTC days ending with the anchor day (the day of
``now``); those that would start after ``now`` are drawn but not stored, and those still under
way at ``now`` are stored as pending. So a restart later the same day recreates the same
history. Rows are written with executemany in batches, never as model instances: a million
sessions take well under a minute or two.
"""

from __future__ import annotations

import bisect
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
from django.apps import apps
from django.db import connections, transaction

from dashboard.sandbox.models import (
    OutboxMessage,
    Service,
    VerificationSession,
)
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.wavix.phones import PhonePool
from dashboard.sandbox.wavix.pricing import COUNTRY_RATES, PUMPING_RATES
from dashboard.sandbox.wavix.stories import (
    LIFETIME_MS,
    Story,
    cut_at,
    normal_story,
    pumping_story,
)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 5000
B2CORE_LABEL = "sandbox_b2core"

# name, code length, number validation, failover, sender id, caller id, shared sender, share
SERVICES = [
    ("Acme Login", 6, False, True, "ACME", "14155550100", False, 0.62),
    ("Acme Payments", 6, True, False, "AcmePay", "14155550101", False, 0.28),
    ("Acme Support", 4, False, False, "", "14155550102", True, 0.10),
]
# Relative traffic by UTC hour (Europe + Americas): quiet at night, busy in the afternoon.
HOURLY = [
    0.25, 0.2, 0.18, 0.18, 0.22, 0.3, 0.45, 0.6, 0.72, 0.8, 0.85, 0.9,
    0.95, 1.0, 1.0, 0.98, 0.95, 0.9, 0.85, 0.75, 0.6, 0.5, 0.4, 0.3,
]  # fmt: skip
WEEKEND = 0.75
PUMPING_SHARE = 0.02  # of all sessions, in a few one-hour bursts
SESSION_FIELDS = [
    "session_id", "service", "phone_number", "destination_country", "status", "charge",
    "created_at", "code", "code_sent_at", "code_expires_at", "checks_used", "sends_used",
    "events",
]  # fmt: skip


@dataclass(frozen=True)
class SeedResult:
    services: int
    sessions: int
    clients: int
    seconds: float


def sandbox_is_empty() -> bool:
    return not Service.objects.using(SANDBOX_DB).exists()


def seed_sandbox(*, seed: int, sessions: int, days: int, clients: int, now: datetime) -> SeedResult:
    """Replace the sandbox's data with generated data (Wavix, then B2Core unless clients=0)."""
    started = time.perf_counter()
    services, stored = seed_wavix(seed=seed, sessions=sessions, days=days, now=now)
    seeded_clients = 0
    if clients:
        # Written by the B2Core sandbox; a missing module is an error, not a silent skip.
        from dashboard.sandbox.b2core.seed import seed_b2core

        _clear_app(B2CORE_LABEL)  # seed_b2core expects empty tables
        seeded_clients = seed_b2core(seed=seed, clients=clients, now=now)
    return SeedResult(services, stored, seeded_clients, time.perf_counter() - started)


def _clear_app(label: str) -> None:
    # Children first; the B2Core models are that app's business, so found by label only.
    with transaction.atomic(using=SANDBOX_DB):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model._default_manager.using(SANDBOX_DB).all().delete()


def seed_wavix(*, seed: int, sessions: int, days: int, now: datetime) -> tuple[int, int]:
    """(services, sessions stored)."""
    now_ms = round((now - EPOCH) / timedelta(milliseconds=1))
    window_end = (now_ms // DAY_MS + 1) * DAY_MS  # the end of the anchor day
    window_start = window_end - days * DAY_MS
    with transaction.atomic(using=SANDBOX_DB):
        VerificationSession.objects.using(SANDBOX_DB).all().delete()
        OutboxMessage.objects.using(SANDBOX_DB).all().delete()
        Service.objects.using(SANDBOX_DB).all().delete()
        services = _create_services(random.Random(f"wavix-services:{seed}"), window_start)
        rows = _session_rows(seed, sessions, services, window_start, window_end, now_ms)
        stored = _insert(rows)
    return len(services), stored


def _create_services(rng: random.Random, window_start: int) -> list[Service]:
    services = []
    for name, length, validation, failover, sender, caller, shared, _ in SERVICES:
        created = window_start - rng.randint(30, 400) * DAY_MS - rng.randint(0, DAY_MS)
        services.append(
            Service.objects.using(SANDBOX_DB).create(
                # Wavix service ids are time-based UUIDs without dashes.
                service_id=uuid.UUID(int=rng.getrandbits(128), version=1).hex,
                name=name,
                code_length=length,
                validation_enabled=validation,
                failover_enabled=failover,
                senderid=sender,
                callerid=caller,
                with_shared_sender=shared,
                created_at=EPOCH + timedelta(milliseconds=created),
            )
        )
    return services


def _traffic(moment: int) -> float:
    day = moment // DAY_MS
    weekend = (day + 3) % 7 >= 5  # 1970-01-01 was a Thursday
    return HOURLY[(moment // HOUR_MS) % 24] * (WEEKEND if weekend else 1.0)


def _timeline(rng: random.Random, count: int, start: int, end: int) -> list[tuple[int, int]]:
    """(start ms, burst number or -1) for every session, in time order."""
    pumped = int(count * PUMPING_SHARE) if count >= 1000 else 0
    bursts = min(4, pumped // 25)
    span = end - start
    times: list[tuple[int, int]] = []
    while len(times) < count - pumped:
        moment = start + int(rng.random() * span)
        if rng.random() <= _traffic(moment):
            times.append((moment, -1))
    # Bursts on whole past days (never the anchor day), so they are complete whenever seeded.
    for burst in range(bursts):
        size = pumped // bursts + (1 if burst < pumped % bursts else 0)
        hour = start + int(rng.random() * max(span - DAY_MS - HOUR_MS, HOUR_MS))
        times.extend((hour + rng.randrange(HOUR_MS), burst) for _ in range(size))
    times.sort()
    return times


def _session_rows(
    seed: int,
    count: int,
    services: list[Service],
    start: int,
    end: int,
    now: int,
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(f"wavix-sessions:{seed}")
    timeline = _timeline(random.Random(f"wavix-times:{seed}"), count, start, end)
    pool = PhonePool(random.Random(f"wavix-phones:{seed}"), [*COUNTRY_RATES, *PUMPING_RATES])
    regions = list(COUNTRY_RATES)
    region_cum = _cumulative([rate.weight for rate in COUNTRY_RATES.values()])
    service_cum = _cumulative([share for *_, share in SERVICES])
    pumping_regions = list(PUMPING_RATES)
    burst_targets = [
        (country, pool.stem(rng, country))
        for country in (rng.choice(pumping_regions) for _ in range(4))
    ]
    adapt = _datetime_adapter()
    encode = msgspec.json.encode
    for moment, burst in timeline:
        session_id = f"{rng.getrandbits(128):032x}"
        if burst < 0:
            service = services[bisect.bisect(service_cum, rng.random() * service_cum[-1])]
            country = regions[bisect.bisect(region_cum, rng.random() * region_cum[-1])]
            phone = pool.number(rng, country)
            story = normal_story(
                rng, moment, country, service.validation_enabled, service.code_length
            )
        else:
            service = services[0]  # sign-in pages are what pumping bots hit
            country, stem = burst_targets[burst]
            phone = pool.number(rng, country, stem)
            story = pumping_story(rng, moment, country, service.code_length)
        # Sessions starting within the last second are left out: their first send is not out.
        if moment > now - 1000:
            continue
        yield _row(
            session_id, service.pk, phone, country, cut_at(story, now), moment, adapt, encode
        )


def _row(
    session_id: str,
    service_pk: int,
    phone: str,
    country: str,
    story: Story,
    moment: int,
    adapt: Any,
    encode: Any,
) -> tuple[Any, ...]:
    return (
        session_id,
        service_pk,
        phone,
        country,
        story.status,
        Decimal(story.charge_e4).scaleb(-4),
        adapt(moment),
        story.code,
        adapt(story.code_sent_ms),
        adapt(story.code_sent_ms + LIFETIME_MS),
        story.checks_used,
        story.sends_used,
        encode(story.events).decode(),
    )


def _datetime_adapter() -> Any:
    """Epoch milliseconds to a parameter for a datetime column."""
    if connections[SANDBOX_DB].vendor == "sqlite":
        # What Django's own adapter stores (naive UTC, as str()), without its per-value checks.
        naive_epoch = EPOCH.replace(tzinfo=None)
        return lambda ms: (naive_epoch + timedelta(milliseconds=ms)).isoformat(" ")
    return lambda ms: EPOCH + timedelta(milliseconds=ms)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(rows: Iterable[tuple[Any, ...]]) -> int:
    connection = connections[SANDBOX_DB]
    quote = connection.ops.quote_name
    meta = VerificationSession._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in SESSION_FIELDS)
    placeholders = ", ".join(["%s"] * len(SESSION_FIELDS))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    stored = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows, BATCH):
            cursor.executemany(sql, batch)
            stored += len(batch)
    return stored
