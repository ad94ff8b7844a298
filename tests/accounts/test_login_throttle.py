"""Sign-in throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords per (username,
client address), then LOGIN_COOLOFF_MINUTES without any password being checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from dashboard.audit.models import FAILED, SUCCESS, AuditRecord
from tests.accounts.conftest import PASSWORD, operator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

LOGIN = reverse("accounts:login")
HOME = "198.51.100.20"
ELSEWHERE = "203.0.113.9"


def sign_in(password: str, address: str = HOME, username: str = "otto", **extra):
    client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def fail(times: int, address: str = HOME, username: str = "otto"):
    response = None
    for number in range(times):
        response = sign_in(f"wrong-{number}", address, username)
    return response


def test_four_failures_are_ordinary_refusals():
    operator()
    response = fail(4)
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert sign_in(PASSWORD).status_code == 302


def test_the_fifth_failure_locks_the_pair_and_says_when_to_try_again():
    operator()
    with freeze_time("2026-03-02 03:00:00"):
        response = fail(5)
    page = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many wrong passwords." in page
    assert "Try again in 15 minutes, at <strong>03:15</strong> (UTC)." in page
    assert "did not match" not in page


def test_while_locked_even_the_right_password_is_refused_without_being_checked(monkeypatch):
    operator()
    fail(5)
    checked = []
    original = ModelBackend.authenticate

    def spy(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return original(self, request, username, password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)
    response = sign_in(PASSWORD)
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    assert checked == []  # no password hashed: a locked-out attempt costs no CPU


def test_another_address_for_the_same_user_is_not_locked():
    operator()
    fail(5, ELSEWHERE)
    response = sign_in(PASSWORD, HOME)
    assert response.status_code == 302


def test_another_user_from_the_same_address_is_not_locked():
    operator()
    operator("olga")
    fail(5, username="otto")
    assert sign_in(PASSWORD, username="olga").status_code == 302


def test_the_lockout_ends_after_the_cool_off():
    operator()
    start = timezone.now()
    with freeze_time(start):
        fail(5)
    with freeze_time(start + dt.timedelta(minutes=14, seconds=59)):
        assert sign_in(PASSWORD).status_code == 429
    with freeze_time(start + dt.timedelta(minutes=15, seconds=1)):
        assert sign_in(PASSWORD).status_code == 302


def test_attempts_while_locked_do_not_extend_it():
    operator()
    start = timezone.now()
    with freeze_time(start):
        fail(5)
    with freeze_time(start + dt.timedelta(minutes=10)):
        response = fail(3)
        assert response.status_code == 429
        assert response["Retry-After"] == "300"  # still 15 minutes from the fifth failure
    with freeze_time(start + dt.timedelta(minutes=15, seconds=1)):
        assert sign_in(PASSWORD).status_code == 302


def test_a_right_password_starts_the_count_again():
    operator()
    fail(4)
    assert sign_in(PASSWORD).status_code == 302
    assert fail(4).status_code == 200


def test_the_limit_and_cool_off_come_from_settings(settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=3)
    settings.LOGIN_COOLOFF_MINUTES = 3
    operator()
    response = fail(2)
    assert response.status_code == 429
    assert "Try again in 3 minutes" in response.content.decode()


def test_behind_a_proxy_the_client_address_is_the_one_counted(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    operator()
    proxy = "10.0.0.2"
    for number in range(5):
        # The attacker varies the entries it controls (the left ones): still one address.
        Client(REMOTE_ADDR=proxy).post(
            LOGIN,
            {"username": "otto", "password": f"wrong-{number}"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ELSEWHERE}",
        )
    locked = Client(REMOTE_ADDR=proxy).post(
        LOGIN, {"username": "otto", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert locked.status_code == 429
    # The operator, through the same proxy from their own address, is not locked.
    other = Client(REMOTE_ADDR=proxy).post(
        LOGIN, {"username": "otto", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=HOME
    )
    assert other.status_code == 302


def test_the_locked_out_page_keeps_next_and_the_username():
    operator()
    fail(4)
    response = sign_in("wrong", next="/audit/?outcome=failed")
    page = response.content.decode()
    assert response.status_code == 429
    assert 'name="next" value="/audit/?outcome=failed"' in page
    assert 'value="otto"' in page


def reasons() -> list[tuple[str, str, list[str]]]:
    return [
        (outcome, reason, targets)
        for outcome, reason, targets in AuditRecord.objects.filter(action="sign_in")
        .order_by("id")
        .values_list("outcome", "reason", "targets")
    ]


def test_every_failed_sign_in_is_audited_with_the_count_and_the_lockout():
    operator()
    fail(5)
    sign_in(PASSWORD)
    records = reasons()
    assert [r[1] for r in records[:4]] == [
        f"wrong password; failure {n} of 5 allowed in a row" for n in range(1, 5)
    ]
    assert records[4][1] == (
        "wrong password; 5 failures in a row from this address: locked out for 15 minutes"
    )
    assert records[5][1].startswith("refused without checking the password: locked out until ")
    assert {(r[0], tuple(r[2])) for r in records} == {(FAILED, ("user:otto",))}
    assert set(AuditRecord.objects.values_list("client_ip", flat=True)) == {HOME}


def test_an_unknown_username_is_audited_as_such():
    sign_in("whatever", username="ghost")
    assert reasons() == [(FAILED, "no such user; failure 1 of 5 allowed in a row", ["user:ghost"])]


def test_a_password_only_sign_in_is_audited_as_a_success(settings):
    settings.OPERATOR_2FA = "optional"
    operator()
    sign_in(PASSWORD)
    assert reasons() == [(SUCCESS, "password (no second factor set up)", ["user:otto"])]


# --- Refusals during a lockout: a bounded number of records, the count in a summary --------


def test_fifty_refused_attempts_during_a_lockout_add_one_record_until_it_ends():
    operator()
    start = timezone.now()
    with freeze_time(start):
        fail(5)
    before = AuditRecord.objects.count()
    with freeze_time(start + dt.timedelta(minutes=5)):
        for number in range(50):
            assert sign_in(f"guess-{number}").status_code == 429
    assert AuditRecord.objects.count() == before + 1  # the first refusal; the others counted


def test_when_the_lockout_ends_one_summary_records_how_many_attempts_were_refused():
    operator()
    start = timezone.now().replace(microsecond=0)
    with freeze_time(start):
        fail(5)
    with freeze_time(start + dt.timedelta(minutes=5)):
        fail(50)
    with freeze_time(start + dt.timedelta(minutes=16)):
        assert sign_in(PASSWORD).status_code == 302  # axes deletes the ended lockout's row
    records = reasons()
    refusals = [r for r in records if "refused" in r[1]]
    until = (start + dt.timedelta(minutes=15)).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert [r[1] for r in refusals] == [
        f"refused without checking the password: locked out until {until} UTC",
        f"50 attempts refused without checking the password while locked out until {until} UTC",
    ]
    assert len(records) == 5 + 2 + 1  # five failures, two about the refusals, the sign-in
    summary = AuditRecord.objects.filter(action="sign_in").order_by("id")[6]
    assert (summary.outcome, summary.targets, summary.client_ip) == (
        FAILED,
        ["user:otto"],
        HOME,
    )


def test_another_users_sign_in_after_the_cool_off_also_writes_the_summary():
    operator()
    operator("olga")
    start = timezone.now()
    with freeze_time(start):
        fail(5)
        fail(3)
    with freeze_time(start + dt.timedelta(minutes=16)):
        sign_in("wrong", ELSEWHERE, "olga")  # axes cleans every expired row on a failure
    assert reasons()[-2][1].startswith("3 attempts refused without checking the password")


def test_a_second_lockout_of_the_same_pair_has_its_own_count():
    operator()
    start = timezone.now()
    with freeze_time(start):
        fail(5)
        fail(4)
    with freeze_time(start + dt.timedelta(minutes=16)):
        fail(5)  # the first of these cleans the first lockout's row: its summary
        fail(2)
    with freeze_time(start + dt.timedelta(minutes=32)):
        sign_in(PASSWORD)
    summaries = [r[1].split(" ")[0] for r in reasons() if "attempts refused" in r[1]]
    assert summaries == ["4", "2"]


def test_a_single_refusal_needs_no_summary():
    operator()
    start = timezone.now()
    with freeze_time(start):
        fail(6)
    with freeze_time(start + dt.timedelta(minutes=16)):
        sign_in(PASSWORD)
    assert [r[1] for r in reasons() if "attempts refused" in r[1]] == []
    assert len([r for r in reasons() if "refused without" in r[1]]) == 1


def test_the_count_is_shared_through_redis_and_summed_up_once(settings):
    """Two processes share the count through the cache: here two cache clients on Redis
    (database 5), and the row's deletion seen twice writes one summary."""
    import os
    import uuid

    import redis
    from axes.models import AccessAttempt
    from django.core.cache import caches

    from dashboard.accounts.signin import audit_refusals_of_a_lockout

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {url} (not CI: skipped)")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        operator()
        start = timezone.now()
        with freeze_time(start):
            fail(5)
            fail(20)
            row = AccessAttempt.objects.get(username="otto")
        audit_refusals_of_a_lockout(AccessAttempt, row)
        audit_refusals_of_a_lockout(AccessAttempt, row)  # another process saw it deleted too
        summaries = [r[1] for r in reasons() if "attempts refused" in r[1]]
        assert len(summaries) == 1
        assert summaries[0].startswith("20 attempts refused")
    finally:
        server = redis.Redis.from_url(url)
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
        caches["default"].close()
