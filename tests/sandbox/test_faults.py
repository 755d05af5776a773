"""Fault injection and quotas as the real clients see them."""

from __future__ import annotations

import json
import time

import gspread
import pytest
import requests
from googleapiclient.errors import HttpError

from ilt_bot.sandbox import core
from ilt_bot.sandbox.core import HANDLERS
from ilt_bot.sandbox.faults import FaultInjector
from ilt_bot.sandbox.server import SandboxServer

USER = "ana.ruiz@cedar.example.org"
AUTH = {"Authorization": f"Bearer sandbox:{USER}"}


def counting_create(call: core.Call) -> dict:
    """Each create writes a record: tests can see whether the write happened."""
    number = call.store.next_value("created")
    call.store.put("note", str(number), {"name": (call.body or {}).get("name")})
    return {"id": str(number), "name": (call.body or {}).get("name")}


@pytest.fixture(autouse=True)
def fakes(monkeypatch):
    monkeypatch.setitem(HANDLERS, "drive.files.create", counting_create)
    monkeypatch.setitem(HANDLERS, "drive.files.get", lambda call: {"id": call.path_params["fileId"]})
    monkeypatch.setitem(HANDLERS, "sheets.spreadsheets.values.get", lambda call: {"range": call.path_params["range"]})
    monkeypatch.setitem(HANDLERS, "sheets.spreadsheets.get", lambda call: {"spreadsheetId": "s"})


def test_rate_limit_faults_have_googles_bodies(sandbox, build_service):
    sandbox.set_faults(1.0, ["429"], seed=1)
    drive = build_service(sandbox, "drive", "v3", USER)
    statuses = set()
    for _ in range(8):
        with pytest.raises(HttpError) as info:
            drive.files().get(fileId="a").execute()
        error = json.loads(info.value.content)["error"]
        statuses.add(info.value.resp.status)
        assert error["errors"][0]["domain"] == "usageLimits"
        assert error["errors"][0]["reason"] in ("rateLimitExceeded", "userRateLimitExceeded")
    assert statuses == {403, 429}  # Drive answers either, and googleapiclient retries both
    answer = requests.get(f"{sandbox.url}/v4/spreadsheets/s/values/A1", headers=AUTH, timeout=5)
    assert answer.status_code == 429
    error = answer.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per")
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert [e["fault"] for e in sandbox.requests] == ["429"] * 9


@pytest.mark.parametrize(("kind", "status", "drive_reason", "google_status"), [
    ("500", 500, "internalError", "INTERNAL"),
    ("503", 503, "backendError", "UNAVAILABLE"),
])
def test_server_error_faults(sandbox, kind, status, drive_reason, google_status):
    sandbox.set_faults(1.0, [kind], seed=2)
    drive = requests.get(f"{sandbox.url}/drive/v3/files/a", headers=AUTH, timeout=5)
    assert drive.status_code == status
    assert drive.json()["error"]["errors"][0]["reason"] == drive_reason
    sheets = requests.get(f"{sandbox.url}/v4/spreadsheets/s", headers=AUTH, timeout=5)
    assert sheets.status_code == status
    assert sheets.json()["error"]["status"] == google_status


def test_connection_reset_fault_is_a_connection_error_for_both_clients(sandbox, build_service, gspread_client):
    sandbox.set_faults(1.0, ["reset"], seed=3)
    drive = build_service(sandbox, "drive", "v3", USER)
    with pytest.raises((ConnectionError, OSError)):
        drive.files().get(fileId="a").execute()
    with pytest.raises(requests.ConnectionError):
        gspread_client(sandbox, USER).open_by_key("s")
    assert {e["fault"] for e in sandbox.requests} == {"reset"}


def test_commit_then_fail_writes_but_loses_the_answer(sandbox, build_service):
    sandbox.set_faults(1.0, ["commit"], seed=4)
    drive = build_service(sandbox, "drive", "v3", USER)
    failures = 0
    for i in range(6):
        try:
            drive.files().create(body={"name": f"n{i}"}).execute()
        except (HttpError, ConnectionError, OSError):
            failures += 1
    assert failures == 6
    names = [n["name"] for n in sandbox.store.list("note")]
    assert set(names) == {f"n{i}" for i in range(6)}  # every write happened
    # httplib2 itself resends a request whose connection dropped: each attempt wrote once.
    assert len(names) == len(sandbox.requests)
    faults = [e["fault"] for e in sandbox.requests]
    assert all(f.startswith("commit+") for f in faults)
    assert len(set(faults)) > 1  # 500, 503 and dropped answers are all drawn


def test_client_retries_recover_and_show_the_duplicate_create_hazard(sandbox, build_service):
    sandbox.set_faults(0.5, ["commit", "503"], seed=7)
    drive = build_service(sandbox, "drive", "v3", USER)
    created = 0
    for i in range(10):
        request = drive.files().create(body={"name": f"doc{i}"})
        request._sleep = lambda seconds: None
        request.execute(num_retries=8)
        created += 1
    names = [n["name"] for n in sandbox.store.list("note")]
    assert created == 10
    assert set(names) == {f"doc{i}" for i in range(10)}
    assert len(names) > 10  # a retried create whose answer was lost made a duplicate


def test_seeded_faults_are_reproducible():
    first = FaultInjector(0.3, seed=42)
    second = FaultInjector(0.3, seed=42)
    draws = [(first.draw(True), second.draw(True)) for _ in range(200)]
    assert all(a == b for a, b in draws)
    assert 30 < sum(1 for a, _ in draws if a is not None) < 90


def test_token_endpoint_and_pages_are_never_faulted(sandbox):
    sandbox.set_faults(1.0, seed=5)
    token = requests.post(f"{sandbox.url}/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                          timeout=5)
    assert token.status_code == 400  # an OAuth answer, not a fault
    assert token.json()["error"] == "invalid_grant"
    assert requests.get(f"{sandbox.url}/_sandbox/", timeout=5).status_code == 200


def test_per_user_quota_with_time_scale(monkeypatch):
    with SandboxServer(enforce_quotas=True, quota_time_scale=60.0) as server:  # a 1 s minute
        url = f"{server.url}/v4/spreadsheets/s/values/A1"
        statuses = [requests.get(url, headers=AUTH, timeout=5).status_code for _ in range(61)]
        assert statuses[:60] == [200] * 60
        assert statuses[60] == 429
        other = requests.get(url, headers={"Authorization": "Bearer sandbox:bo@cedar.example.org"}, timeout=5)
        assert other.status_code == 200  # the limit is per user
        error = requests.get(url, headers=AUTH, timeout=5).json()["error"]
        assert "per user" in error["message"]
        time.sleep(1.05)
        assert requests.get(url, headers=AUTH, timeout=5).status_code == 200


def test_gspread_sees_the_quota_as_api_error(sandbox, gspread_client):
    sandbox.set_faults(1.0, ["429"], seed=6)
    with pytest.raises(gspread.exceptions.APIError) as info:
        gspread_client(sandbox, USER).open_by_key("s")
    assert info.value.response.status_code == 429


def test_drive_quotas_per_user_403_and_per_project_429():
    with SandboxServer(enforce_quotas=True) as server:
        server.quotas.limits["drive"] = (3, 2)  # per project, per user
        url = f"{server.url}/drive/v3/files/a"
        ana = [requests.get(url, headers=AUTH, timeout=5) for _ in range(3)]
        assert [r.status_code for r in ana] == [200, 200, 403]
        assert ana[2].json()["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
        bo = {"Authorization": "Bearer sandbox:bo@cedar.example.org"}
        assert requests.get(url, headers=bo, timeout=5).status_code == 200
        project = requests.get(url, headers={"Authorization": "Bearer sandbox:cy@cedar.example.org"}, timeout=5)
        assert project.status_code == 429
        assert project.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
        assert [e["fault"] for e in server.requests].count("quota") == 2
