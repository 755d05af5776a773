"""Client-side rate limiting: token buckets never exceed Google's per-minute limits."""

from __future__ import annotations

import threading

import pytest

from ilt_bot.workspace.ratelimit import DEFAULT_LIMITS, RateLimiter, TokenBucket, call_class


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_never_lets_more_than_the_limit_through_in_any_minute():
    clock = FakeClock()
    bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(300):
        bucket.acquire()
        stamps.append(clock.now)
    for i, start in enumerate(stamps):
        in_window = [t for t in stamps[i:] if t < start + 60]
        assert len(in_window) <= 60
    # and it is not needlessly slow: within 10% of the limit (300 calls at 60/min: about 5 minutes)
    assert 270 <= stamps[-1] <= 300 / 0.9 + 1


def test_bucket_allows_a_small_burst_without_waiting():
    clock = FakeClock()
    bucket = TokenBucket(600, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        assert bucket.acquire() == 0.0
    assert bucket.acquire() > 0


def test_a_batch_takes_one_token_per_part():
    clock = FakeClock()
    bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(6) == 0.0
    assert bucket.acquire(1) > 0


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("drive.files.create", ("drive", "all")),
        ("docs.documents.get", ("docs", "read")),
        ("docs.documents.batchUpdate", ("docs", "write")),
        ("forms.forms.responses.list", ("forms", "responses")),
        ("forms.forms.setPublishSettings", ("forms", "write")),
        ("sheets.spreadsheets.values.get", ("sheets", "read")),
        ("sheets.spreadsheets.values.append", ("sheets", "write")),
    ],
)
def test_call_classes(method, expected):
    assert call_class(method) == expected


def test_limiter_uses_the_user_limit_per_api_and_class():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(200):
        limiter.acquire("sheets.spreadsheets.values.append", "bot@x.org")
    # Sheets writes: 60 per minute per user
    assert clock.now >= (200 - 60) / 60 * 60 * 0.9
    before = clock.now
    for _ in range(100):  # Drive has its own, much larger bucket: no wait
        limiter.acquire("drive.files.list", "bot@x.org")
    assert clock.now == before


def test_project_bucket_is_shared_between_users():
    clock = FakeClock()
    limiter = RateLimiter({"docs.write.project": 100, "docs.write.user": 1000}, clock=clock, sleep=clock.sleep)
    for i in range(300):
        limiter.acquire("docs.documents.batchUpdate", f"user{i}@x.org")
    assert clock.now >= 120  # 300 calls through a 100/min project limit


def test_configured_limits_override_defaults():
    limiter = RateLimiter({"sheets.write.user": 5})
    assert limiter.limits["sheets.write.user"] == 5
    assert limiter.limits["sheets.read.user"] == DEFAULT_LIMITS["sheets.read.user"]


def test_bucket_is_thread_safe():
    clock = FakeClock()  # frozen: no refill, so every reservation must be counted exactly once
    bucket = TokenBucket(600, clock=clock, sleep=clock.sleep)

    def worker():
        for _ in range(200):
            bucket.reserve()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bucket.reserve() == pytest.approx((1601 - bucket.capacity) / bucket.rate)


def test_a_busy_run_waits_instead_of_collecting_429s():
    """Against a sandbox enforcing per-minute quotas (one "minute" = 0.5 s, 10 Sheets reads per user)."""
    from ilt_bot.sandbox.identity import sandbox_credentials
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.clients import build_services
    from ilt_bot.workspace.gateway import Gateway
    from ilt_bot.workspace.retry import RetryPolicy
    from ilt_bot.workspace.transport import sandbox_http

    bot = "ilt-bot@cedar.example.org"
    with SandboxServer(enforce_quotas=True, quota_time_scale=120) as server:
        server.quotas.limits["sheets.read"] = (300, 10)
        services = build_services(sandbox_credentials(bot), lambda: sandbox_http(server.url))

        def gateway(limiter):
            return Gateway(services, user=bot, domain="cedar.example.org", limiter=limiter,
                           policy=RetryPolicy(max_attempts=1))

        gw = gateway(RateLimiter({"sheets.read.user": 9}, period=0.5))
        sheet = gw.ensure_spreadsheet("cedar/tracker/q", "T", "root", {"Runs": ["id"]}).file.id
        for _ in range(40):
            gw.read_rows(sheet, "Runs")
        assert not [e for e in server.requests if e["status"] == 429]
        assert gw.caller.limiter.waited > 0

