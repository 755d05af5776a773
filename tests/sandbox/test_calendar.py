"""Calendar v3 on the sandbox, through the real google-api-python-client.

Behaviours follow the Calendar v3 reference (Events resource, events.list / events.instances
parameters, "Handle API errors", "Recurring events") unless a test says otherwise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.transport import sandbox_http

ANA = "ana@cedar.edu"  # the principal
TOM = "tom@cedar.edu"
EVE = "eve@elsewhere.org"
NY = "America/New_York"
KEY = "cedar/meeting/2026-09-15"


def error_of(excinfo: pytest.ExceptionInfo[HttpError]) -> dict[str, Any]:
    return json.loads(excinfo.value.content)["error"]


def at(day: str, clock: str = "15:00:00") -> dict[str, str]:
    return {"dateTime": f"{day}T{clock}", "timeZone": NY}


def meeting(day: str = "2026-09-15", **extra: Any) -> dict[str, Any]:
    return {"summary": "ILT meeting", "location": "Library", "start": at(day), "end": at(day, "16:00:00"), **extra}


@pytest.fixture
def calendar(sandbox, build_service):
    return build_service(sandbox, "calendar", "v3", ANA)


@pytest.fixture
def tom(sandbox, build_service):
    return build_service(sandbox, "calendar", "v3", TOM)


def scoped(sandbox, user: str, scopes: list[str]) -> Any:
    http = AuthorizedHttp(sandbox_credentials(user, scopes), http=sandbox_http(sandbox.url))
    return build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False)


def all_items(request_of: Any) -> list[dict[str, Any]]:
    items, token = [], None
    while True:
        page = request_of(token).execute()
        items.extend(page["items"])
        token = page.get("nextPageToken")
        if not token:
            return items


# --- calendars --------------------------------------------------------------------------------


def test_every_user_has_a_primary_calendar_listed_first_as_owner(calendar):
    """calendars.get("primary") is the user's own calendar, id = their e-mail; calendarList.list shows
    it with ``primary: true`` and ``accessRole: owner``."""
    primary = calendar.calendars().get(calendarId="primary").execute()
    assert primary["kind"] == "calendar#calendar"
    assert primary["id"] == ANA
    entries = calendar.calendarList().list().execute()["items"]
    assert entries[0]["id"] == ANA
    assert entries[0]["primary"] is True
    assert entries[0]["accessRole"] == "owner"
    assert calendar.calendarList().get(calendarId="primary").execute()["id"] == ANA


def test_a_shared_ilt_calendar_needs_an_acl_rule_and_writer_to_add_events(calendar, tom):
    """A secondary calendar is invisible to others (404 notFound) until an ACL rule grants a role; a
    reader who writes gets 403 ``requiredAccessLevel`` ("You need to have writer access to this calendar.")."""
    ilt = calendar.calendars().insert(body={"summary": "Cedar ILT", "timeZone": NY}).execute()
    assert ilt["id"].endswith("@group.calendar.google.com")
    with pytest.raises(HttpError) as hidden:
        tom.events().list(calendarId=ilt["id"]).execute()
    assert hidden.value.resp.status == 404
    calendar.acl().insert(calendarId=ilt["id"], body={"role": "reader", "scope": {"type": "user", "value": TOM}}
                          ).execute()
    assert tom.events().list(calendarId=ilt["id"]).execute()["accessRole"] == "reader"
    with pytest.raises(HttpError) as refused:
        tom.events().insert(calendarId=ilt["id"], body=meeting()).execute()
    assert refused.value.resp.status == 403
    assert error_of(refused)["errors"][0]["reason"] == "requiredAccessLevel"
    rule = calendar.acl().insert(calendarId=ilt["id"],
                                 body={"role": "writer", "scope": {"type": "user", "value": TOM}}).execute()
    assert rule["id"] == f"user:{TOM}"
    made = tom.events().insert(calendarId=ilt["id"], body=meeting()).execute()
    assert made["organizer"] == {"email": ilt["id"], "displayName": "Cedar ILT", "self": True}
    assert made["creator"] == {"email": TOM, "self": True}
    rules = {r["id"]: r["role"] for r in calendar.acl().list(calendarId=ilt["id"]).execute()["items"]}
    assert rules == {f"user:{ANA}": "owner", f"user:{TOM}": "writer"}
    assert ilt["id"] in [c["id"] for c in tom.calendarList().list().execute()["items"]]


# --- events: write and read back ----------------------------------------------------------------


def test_insert_then_get_returns_the_event_as_google_stores_it(sandbox, calendar):
    """An inserted event gets an id, ``status: confirmed``, ``sequence: 0``, ``iCalUID <id>@google.com``,
    an htmlLink, ``created``/``updated`` from the (sandbox) clock, its start/end written with the
    zone's offset, and attendees with ``responseStatus: needsAction``."""
    sandbox.set_now(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    body = meeting(attendees=[{"email": TOM}, {"email": "Lee@Cedar.edu", "optional": True}],
                   description="Agenda to follow", extendedProperties={"private": {"iltbot_key": KEY}})
    made = calendar.events().insert(calendarId="primary", body=body, sendUpdates="all").execute()
    got = calendar.events().get(calendarId="primary", eventId=made["id"]).execute()
    assert got == made
    assert got["status"] == "confirmed" and got["sequence"] == 0
    assert got["iCalUID"] == f"{made['id']}@google.com"
    assert got["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    assert got["created"].startswith("2026-09-01T12:00")
    assert got["start"] == {"dateTime": "2026-09-15T15:00:00-04:00", "timeZone": NY}
    assert got["organizer"] == {"email": ANA, "self": True}
    assert got["attendees"] == [{"email": TOM, "responseStatus": "needsAction"},
                                {"email": "lee@cedar.edu", "optional": True, "responseStatus": "needsAction"}]
    assert got["extendedProperties"] == {"private": {"iltbot_key": KEY}}
    assert got["location"] == "Library" and got["description"] == "Agenda to follow"


def test_an_invitee_sees_the_event_on_their_primary_calendar_without_private_properties(calendar, tom):
    """An invitation appears on the attendee's primary calendar (``self: true`` on their attendee entry);
    private extended properties are "private to the copy of the event that appears on this calendar"."""
    props = {"private": {"iltbot_key": KEY}, "shared": {"k": "v"}}
    made = calendar.events().insert(calendarId="primary", body=meeting(attendees=[{"email": TOM}],
                                                                       extendedProperties=props)).execute()
    seen = tom.events().list(calendarId="primary").execute()["items"]
    assert [e["id"] for e in seen] == [made["id"]]
    assert seen[0]["attendees"] == [{"email": TOM, "responseStatus": "needsAction", "self": True}]
    assert seen[0]["extendedProperties"] == {"shared": {"k": "v"}}
    assert tom.events().list(calendarId="primary", privateExtendedProperty=f"iltbot_key={KEY}"
                             ).execute()["items"] == []


def test_attachments_are_kept_only_with_supports_attachments(sandbox, calendar, build_service):
    """"In order to modify attachments the supportsAttachments request parameter should be set to
    true": without it the attachments of the body are ignored. A Drive file's fileId, mimeType and
    iconLink come from Drive (fileId is read-only)."""
    drive = build_service(sandbox, "drive", "v3", ANA)
    doc = drive.files().create(body={"name": "Agenda 2026-09-15", "mimeType": "application/vnd.google-apps.document"},
                               fields="id,webViewLink").execute()
    attachment = {"fileUrl": doc["webViewLink"], "title": "Agenda"}
    ignored = calendar.events().insert(calendarId="primary", body=meeting(attachments=[attachment])).execute()
    assert "attachments" not in ignored
    kept = calendar.events().patch(calendarId="primary", eventId=ignored["id"], supportsAttachments=True,
                                   body={"attachments": [attachment]}).execute()
    assert kept["attachments"] == [{
        "fileUrl": doc["webViewLink"], "title": "Agenda", "mimeType": "application/vnd.google-apps.document",
        "iconLink": "https://drive-thirdparty.googleusercontent.com/16/type/application/vnd.google-apps.document",
        "fileId": doc["id"]}]
    still = calendar.events().patch(calendarId="primary", eventId=ignored["id"],
                                    body={"attachments": [], "summary": "ILT (moved room)"}).execute()
    assert still["attachments"] == kept["attachments"]
    assert still["summary"] == "ILT (moved room)"


def test_private_extended_property_constraints_are_all_matched(calendar):
    """privateExtendedProperty=key=value "might be repeated multiple times to return events that match
    all given constraints"; it matches private properties only (sharedExtendedProperty the shared ones)."""
    one = calendar.events().insert(calendarId="primary", body=meeting(extendedProperties={
        "private": {"iltbot_key": KEY, "school": "cedar"}})).execute()
    calendar.events().insert(calendarId="primary", body=meeting("2026-09-22", extendedProperties={
        "private": {"iltbot_key": "cedar/meeting/2026-09-22", "school": "cedar"},
        "shared": {"iltbot_key": KEY}})).execute()
    events = calendar.events()
    assert [e["id"] for e in events.list(calendarId="primary", privateExtendedProperty=f"iltbot_key={KEY}"
                                         ).execute()["items"]] == [one["id"]]
    both = events.list(calendarId="primary", privateExtendedProperty=[f"iltbot_key={KEY}", "school=cedar"]).execute()
    assert [e["id"] for e in both["items"]] == [one["id"]]
    assert events.list(calendarId="primary", privateExtendedProperty=[f"iltbot_key={KEY}", "school=oak"]
                       ).execute()["items"] == []
    assert len(events.list(calendarId="primary", privateExtendedProperty="school=cedar").execute()["items"]) == 2
    shared = events.list(calendarId="primary", sharedExtendedProperty=f"iltbot_key={KEY}").execute()["items"]
    assert [e["start"]["dateTime"][:10] for e in shared] == ["2026-09-22"]


def test_moving_an_event_raises_its_sequence_and_patch_merges(calendar):
    """Patch semantics: only the fields sent change (extendedProperties maps merge); a changed start
    raises ``sequence`` (RFC 5545 SEQUENCE, which Calendar keeps)."""
    made = calendar.events().insert(calendarId="primary", body=meeting(
        extendedProperties={"private": {"iltbot_key": KEY}})).execute()
    moved = calendar.events().patch(calendarId="primary", eventId=made["id"], body={
        "start": at("2026-09-16"), "end": at("2026-09-16", "16:00:00"),
        "extendedProperties": {"private": {"note": "moved by the principal"}}}).execute()
    assert moved["start"]["dateTime"] == "2026-09-16T15:00:00-04:00"
    assert moved["sequence"] == 1
    assert moved["summary"] == "ILT meeting" and moved["location"] == "Library"
    assert moved["extendedProperties"]["private"] == {"iltbot_key": KEY, "note": "moved by the principal"}
    assert moved["etag"] != made["etag"] and moved["updated"] >= made["updated"]
    replaced = calendar.events().update(calendarId="primary", eventId=made["id"], body=meeting("2026-09-16")
                                        ).execute()
    assert "extendedProperties" not in replaced
    assert replaced["id"] == made["id"] and replaced["created"] == made["created"]


def test_a_deleted_event_is_cancelled_listed_only_with_show_deleted_and_gone_on_second_delete(calendar):
    """Deleting marks the event ``cancelled``: "The list method returns cancelled events only ... if the
    showDeleted flag is set to true. The get method always returns them." Deleting it again is 410
    ``deleted`` ("Resource has been deleted")."""
    made = calendar.events().insert(calendarId="primary", body=meeting()).execute()
    calendar.events().delete(calendarId="primary", eventId=made["id"]).execute()
    assert calendar.events().list(calendarId="primary").execute()["items"] == []
    shown = calendar.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    assert [(e["id"], e["status"]) for e in shown] == [(made["id"], "cancelled")]
    assert calendar.events().get(calendarId="primary", eventId=made["id"]).execute()["status"] == "cancelled"
    with pytest.raises(HttpError) as gone:
        calendar.events().delete(calendarId="primary", eventId=made["id"]).execute()
    assert gone.value.resp.status == 410
    assert error_of(gone) == {"code": 410, "message": "Resource has been deleted", "errors": [
        {"message": "Resource has been deleted", "domain": "global", "reason": "deleted"}]}


# --- recurring series ---------------------------------------------------------------------------


def weekly(calendar, count: int = 5, **extra: Any) -> dict[str, Any]:
    body = meeting("2026-10-20", recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={count}"], **extra)
    return calendar.events().insert(calendarId="primary", body=body).execute()


def test_a_weekly_series_expands_at_the_same_local_time_across_dst(calendar):
    """Instances keep the series' wall-clock time in its time zone (New York leaves DST on 2026-11-01),
    with ids ``<seriesId>_<UTC start>``, ``recurringEventId`` and ``originalStartTime``."""
    series = weekly(calendar)
    items = calendar.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    assert [i["start"]["dateTime"] for i in items] == [
        "2026-10-20T15:00:00-04:00", "2026-10-27T15:00:00-04:00", "2026-11-03T15:00:00-05:00",
        "2026-11-10T15:00:00-05:00", "2026-11-17T15:00:00-05:00"]
    assert [i["id"] for i in items][:3] == [f"{series['id']}_20261020T190000Z", f"{series['id']}_20261027T190000Z",
                                            f"{series['id']}_20261103T200000Z"]
    assert {i["recurringEventId"] for i in items} == {series["id"]}
    assert all(i["originalStartTime"] == i["start"] and "recurrence" not in i for i in items)
    assert items[2]["end"]["dateTime"] == "2026-11-03T16:00:00-05:00"
    one = calendar.events().get(calendarId="primary", eventId=items[1]["id"]).execute()
    assert one == items[1]


def test_exdate_and_until_bound_a_series(calendar):
    """EXDATE removes an occurrence; UNTIL (UTC) ends the series (RFC 5545, as Calendar's recurrence)."""
    body = meeting("2026-10-20", recurrence=["RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=20261111T000000Z",
                                             "EXDATE;TZID=America/New_York:20261027T150000"])
    series = calendar.events().insert(calendarId="primary", body=body).execute()
    items = calendar.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    assert [i["start"]["dateTime"][:10] for i in items] == ["2026-10-20", "2026-11-03", "2026-11-10"]


def test_a_recurring_event_needs_a_time_zone(calendar):
    """"For recurring events this field is required" (start.timeZone): 400 ``required``."""
    body = {"summary": "x", "start": {"dateTime": "2026-10-20T15:00:00-04:00"},
            "end": {"dateTime": "2026-10-20T16:00:00-04:00"}, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=2"]}
    with pytest.raises(HttpError) as refused:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert error_of(refused)["errors"][0]["reason"] == "required"
    assert error_of(refused)["message"] == "Missing time zone definition for start time."


def test_an_instance_deleted_by_the_principal_shows_as_a_cancelled_exception(calendar):
    """Deleting one instance leaves a cancelled exception: hidden from instances and singleEvents lists
    unless showDeleted; "Cancelled instances of recurring events (but not the underlying recurring event)
    will still be included if showDeleted and singleEvents are both False"."""
    series = weekly(calendar)
    second = calendar.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"][1]
    calendar.events().delete(calendarId="primary", eventId=second["id"]).execute()
    events = calendar.events()
    visible = events.instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    assert second["id"] not in [i["id"] for i in visible] and len(visible) == 4
    with_deleted = events.instances(calendarId="primary", eventId=series["id"], showDeleted=True).execute()["items"]
    assert [(i["id"], i["status"]) for i in with_deleted][1] == (second["id"], "cancelled")
    assert with_deleted[1]["originalStartTime"] == second["originalStartTime"]
    singles = events.list(calendarId="primary", singleEvents=True).execute()["items"]
    assert len(singles) == 4
    raw = events.list(calendarId="primary").execute()["items"]
    assert [(e["id"], e["status"]) for e in raw] == [(series["id"], "confirmed"), (second["id"], "cancelled")]
    assert events.get(calendarId="primary", eventId=second["id"]).execute()["status"] == "cancelled"


def test_an_instance_moved_by_the_principal_keeps_its_original_start(calendar):
    """Patching one instance makes an exception: its start changes, its ``originalStartTime`` and id do
    not, and the other instances are untouched."""
    series = weekly(calendar, extendedProperties={"private": {"iltbot_key": "cedar/series"}})
    third = calendar.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"][2]
    moved = calendar.events().patch(calendarId="primary", eventId=third["id"], body={
        "start": at("2026-11-04"), "end": at("2026-11-04", "16:00:00")}).execute()
    assert moved["id"] == third["id"] and moved["recurringEventId"] == series["id"]
    items = calendar.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    assert items[2]["start"]["dateTime"] == "2026-11-04T15:00:00-05:00"
    assert items[2]["originalStartTime"]["dateTime"] == "2026-11-03T15:00:00-05:00"
    assert [i["start"]["dateTime"][:10] for i in items[:2]] == ["2026-10-20", "2026-10-27"]
    tagged = calendar.events().patch(calendarId="primary", eventId=items[3]["id"], body={
        "extendedProperties": {"private": {"iltbot_key": KEY}}}).execute()
    found = calendar.events().list(calendarId="primary", privateExtendedProperty=f"iltbot_key={KEY}").execute()
    assert [e["id"] for e in found["items"]] == [tagged["id"]]


# --- lists: windows, order, paging ---------------------------------------------------------------


def test_time_window_single_events_and_order_by_start_time(calendar):
    """timeMin bounds an event's end and timeMax its start (both exclusive); singleEvents expands
    series; orderBy=startTime sorts by start."""
    weekly(calendar, count=3)  # 10-20, 10-27, 11-03
    calendar.events().insert(calendarId="primary", body=meeting("2026-10-22")).execute()
    calendar.events().insert(calendarId="primary", body=meeting("2026-12-01")).execute()
    items = calendar.events().list(calendarId="primary", singleEvents=True, orderBy="startTime",
                                   timeMin="2026-10-20T20:00:00Z", timeMax="2026-11-03T19:00:00Z").execute()["items"]
    assert [i["start"]["dateTime"][:10] for i in items] == ["2026-10-22", "2026-10-27"]
    masters = calendar.events().list(calendarId="primary", timeMin="2026-11-01T00:00:00Z").execute()["items"]
    assert len(masters) == 2  # the series (its last instance is inside) and 12-01


def test_order_by_start_time_needs_single_events(calendar):
    """"Order by the start date/time (ascending). This is only available when querying single events"."""
    with pytest.raises(HttpError) as refused:
        calendar.events().list(calendarId="primary", orderBy="startTime").execute()
    assert refused.value.resp.status == 400
    assert error_of(refused)["message"] == "The requested ordering is not available for the particular query."


def test_paging_returns_every_event_once(calendar):
    """maxResults bounds a page; nextPageToken leads to the next one; the last page has none."""
    made = [calendar.events().insert(calendarId="primary", body=meeting(f"2026-09-{d:02d}")).execute()["id"]
            for d in range(1, 8)]
    first = calendar.events().list(calendarId="primary", maxResults=3).execute()
    assert len(first["items"]) == 3 and first["nextPageToken"]
    seen = all_items(lambda t: calendar.events().list(calendarId="primary", maxResults=3, pageToken=t))
    assert [e["id"] for e in seen] == made


def test_instances_page_through_a_series_and_bound_the_end_inclusively(calendar):
    """events.instances pages with maxResults / pageToken like events.list; its timeMin is the
    "Lower bound (inclusive) for an event's end time" (events.list's is exclusive)."""
    series = weekly(calendar, 5)
    items = all_items(lambda t: calendar.events().instances(calendarId="primary", eventId=series["id"],
                                                            maxResults=2, pageToken=t))
    assert len(items) == 5 and len({i["id"] for i in items}) == 5
    first_end = "2026-10-20T20:00:00Z"  # 16:00 in New York
    inclusive = calendar.events().instances(calendarId="primary", eventId=series["id"], timeMin=first_end).execute()
    assert len(inclusive["items"]) == 5
    exclusive = calendar.events().list(calendarId="primary", singleEvents=True, timeMin=first_end).execute()
    assert len(exclusive["items"]) == 4


# --- errors and scopes -------------------------------------------------------------------------


def test_errors_have_calendars_shape(calendar):
    """Calendar answers errors with the ``errors`` list: 404 notFound "Not Found", 400 required
    "Missing end time.", 400 timeRangeEmpty, 409 duplicate for an id already used."""
    with pytest.raises(HttpError) as missing:
        calendar.events().get(calendarId="primary", eventId="nosuchevent1").execute()
    assert error_of(missing) == {"code": 404, "message": "Not Found", "errors": [
        {"message": "Not Found", "domain": "global", "reason": "notFound"}]}
    with pytest.raises(HttpError) as no_end:
        calendar.events().insert(calendarId="primary", body={"summary": "x", "start": at("2026-09-15")}).execute()
    assert (error_of(no_end)["message"], error_of(no_end)["errors"][0]["reason"]) == ("Missing end time.", "required")
    with pytest.raises(HttpError) as backwards:
        calendar.events().insert(calendarId="primary", body=meeting() | {"end": at("2026-09-14")}).execute()
    assert error_of(backwards)["errors"][0]["reason"] == "timeRangeEmpty"
    calendar.events().insert(calendarId="primary", body=meeting(id="iltabc123")).execute()
    with pytest.raises(HttpError) as twice:
        calendar.events().insert(calendarId="primary", body=meeting(id="iltabc123")).execute()
    assert twice.value.resp.status == 409 and error_of(twice)["errors"][0]["reason"] == "duplicate"
    with pytest.raises(HttpError) as bad_id:
        calendar.events().insert(calendarId="primary", body=meeting(id="Not_Base32")).execute()
    assert error_of(bad_id)["errors"][0]["reason"] == "invalid"


def test_calendar_methods_refuse_tokens_without_a_calendar_scope(sandbox):
    """A token without any of the method's scopes gets Google's 403 "Request had insufficient
    authentication scopes." (reason insufficientPermissions, ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT);
    calendar.readonly reads but cannot write; calendar.events does both."""
    drive_only = scoped(sandbox, ANA, ["https://www.googleapis.com/auth/drive"])
    with pytest.raises(HttpError) as refused:
        drive_only.events().list(calendarId="primary").execute()
    assert refused.value.resp.status == 403
    body = error_of(refused)
    assert body["message"] == "Request had insufficient authentication scopes."
    assert body["errors"][0]["reason"] == "insufficientPermissions"
    assert body["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert body["details"][0]["metadata"]["method"] == "calendar.v3.Events.List"
    assert "insufficient_scope" in refused.value.resp["www-authenticate"]
    reader = scoped(sandbox, ANA, ["https://www.googleapis.com/auth/calendar.readonly"])
    assert reader.events().list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as write:
        reader.events().insert(calendarId="primary", body=meeting()).execute()
    assert write.value.resp.status == 403
    writer = scoped(sandbox, ANA, ["https://www.googleapis.com/auth/calendar.events"])
    made = writer.events().insert(calendarId="primary", body=meeting()).execute()
    assert writer.events().get(calendarId="primary", eventId=made["id"]).execute()["id"] == made["id"]


def test_the_calendar_page_lists_the_users_events(sandbox, calendar):
    """The sandbox's browser page shows a signed-in user's calendars and their events (series expanded)."""
    weekly(calendar, count=2)
    page = requests.get(f"{sandbox.url}/_sandbox/calendar", headers={"Authorization": f"Bearer sandbox:{ANA}"},
                        timeout=10)
    assert page.status_code == 200
    assert page.text.count("<tr><th scope=\"row\">ILT meeting</th>") == 2
    assert "2026-10-27T15:00:00-04:00" in page.text
    assert requests.get(f"{sandbox.url}/_sandbox/calendar", timeout=10).status_code == 401


def test_a_request_without_credentials_gets_calendars_401(sandbox):
    """Calendar's 401 keeps the ``errors`` list: reason ``required``, location ``Authorization``."""
    answer = requests.get(f"{sandbox.url}/calendar/v3/calendars/primary/events",
                          headers={"X-Sandbox-Host": "www.googleapis.com"}, timeout=10)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["errors"] == [{"message": "Login Required.", "domain": "global", "reason": "required",
                                "location": "Authorization", "locationType": "header"}]
    assert error["status"] == "UNAUTHENTICATED"
