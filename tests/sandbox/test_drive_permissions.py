"""Drive v3 sharing and access control through the real client: two users, groups, domains, batches."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.sandbox.directory import register_accounts
from ilt_bot.sandbox.drive import can_respond, role_of, sent_emails
from ilt_bot.sandbox.drive.models import set_group_members

ANA = "ana@cedar.example.org"
BEN = "ben@cedar.example.org"
CARA = "cara@cedar.example.org"
OUTSIDER = "olga@elsewhere.example.com"
FOLDER = "application/vnd.google-apps.folder"
FORM = "application/vnd.google-apps.form"


@pytest.fixture
def ana(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", ANA)


@pytest.fixture
def ben(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", BEN)


def status_reason(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, caught.value.error_details[0]["reason"]


def test_other_users_files_are_404_until_shared_then_read_only(sandbox, ana, ben):
    f = ana.files().create(body={"name": "Minutes"}).execute()
    assert status_reason(ben.files().get(fileId=f["id"])) == (404, "notFound")
    assert ben.files().list().execute()["files"] == []
    perm = ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader", "emailAddress": BEN},
                                    emailMessage="Please read").execute()
    assert perm == {"kind": "drive#permission", "id": perm["id"], "type": "user", "role": "reader"}
    got = ben.files().get(fileId=f["id"], fields="name,capabilities(canEdit,canShare),ownedByMe").execute()
    assert got == {"name": "Minutes", "capabilities": {"canEdit": False, "canShare": False}, "ownedByMe": False}
    assert [x["id"] for x in ben.files().list(q="sharedWithMe = true").execute()["files"]] == [f["id"]]
    assert status_reason(ben.files().update(fileId=f["id"], body={"name": "Mine"})) == (
        403, "insufficientFilePermissions")
    with pytest.raises(HttpError) as caught:
        ben.files().delete(fileId=f["id"]).execute()
    assert caught.value.error_details[0]["message"] == "The user does not have sufficient permissions for this file."
    assert status_reason(ben.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader",
                                                                         "emailAddress": CARA})) == (
        403, "insufficientFilePermissions")
    emails = sent_emails(sandbox.store)
    assert [(e["to"], e["from"], e["fileId"], e["role"], e["message"]) for e in emails] == [
        (BEN, ANA, f["id"], "reader", "Please read")]


def test_writer_can_edit_and_share_but_not_delete(ana, ben):
    f = ana.files().create(body={"name": "Tracker"}).execute()
    ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "writer", "emailAddress": BEN},
                             sendNotificationEmail=False).execute()
    assert ben.files().update(fileId=f["id"], body={"name": "Tracker 2"}).execute()["name"] == "Tracker 2"
    ben.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader", "emailAddress": CARA}).execute()
    assert status_reason(ben.files().delete(fileId=f["id"])) == (403, "insufficientFilePermissions")
    assert status_reason(ben.files().update(fileId=f["id"], body={"trashed": True})) == (
        403, "insufficientFilePermissions")


def test_folder_permissions_inherit_to_children(sandbox, ana, ben):
    folder = ana.files().create(body={"name": "Agendas", "mimeType": FOLDER}).execute()
    inner = ana.files().create(body={"name": "Agenda", "parents": [folder["id"]]}).execute()
    ana.permissions().create(fileId=folder["id"], body={"type": "user", "role": "commenter",
                                                        "emailAddress": BEN}).execute()
    assert ben.files().get(fileId=inner["id"], fields="capabilities/canComment").execute() == {
        "capabilities": {"canComment": True}}
    assert role_of(sandbox.store, BEN, inner["id"]) == "commenter"
    listed = ana.permissions().list(fileId=inner["id"], fields="permissions(emailAddress,role)").execute()
    assert sorted((p["emailAddress"], p["role"]) for p in listed["permissions"]) == [
        (ANA, "owner"), (BEN, "commenter")]


def test_group_domain_and_anyone_permissions(sandbox, ana, ben):
    f = ana.files().create(body={"name": "Survey", "mimeType": FORM}).execute()
    assert status_reason(ana.permissions().create(fileId=f["id"], body={"type": "anyone", "role": "reader"},
                                                  sendNotificationEmail=False)) == (400, "invalidSharingRequest")
    set_group_members(sandbox.store, "ilt@cedar.example.org", [CARA])
    ana.permissions().create(fileId=f["id"], body={"type": "group", "role": "writer",
                                                   "emailAddress": "ilt@cedar.example.org"}).execute()
    assert role_of(sandbox.store, CARA, f["id"]) == "writer"
    assert role_of(sandbox.store, BEN, f["id"]) is None
    ana.permissions().create(fileId=f["id"], body={"type": "domain", "role": "reader",
                                                   "domain": "cedar.example.org"}).execute()
    assert role_of(sandbox.store, BEN, f["id"]) == "reader"
    assert role_of(sandbox.store, OUTSIDER, f["id"]) is None
    assert not can_respond(sandbox.store, OUTSIDER, f["id"])
    ana.permissions().create(fileId=f["id"], body={"type": "anyone", "role": "reader", "view": "published"}
                             ).execute()
    assert can_respond(sandbox.store, OUTSIDER, f["id"])
    assert role_of(sandbox.store, OUTSIDER, f["id"]) is None  # answering is not reading
    plain = ana.permissions().list(fileId=f["id"], fields="permissions(type,view)").execute()["permissions"]
    assert all("view" not in p for p in plain)
    views = ana.permissions().list(fileId=f["id"], includePermissionsForView="published",
                                   fields="permissions(type,view)").execute()["permissions"]
    assert {"type": "anyone", "view": "published"} in views


def test_duplicate_grant_updates_the_existing_permission(ana):
    f = ana.files().create(body={"name": "x"}).execute()
    first = ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader", "emailAddress": BEN}
                                     ).execute()
    second = ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "writer", "emailAddress": BEN}
                                      ).execute()
    assert second["id"] == first["id"] and second["role"] == "writer"
    perms = ana.permissions().list(fileId=f["id"]).execute()["permissions"]
    assert sorted(p["role"] for p in perms) == ["owner", "writer"]
    assert set(perms[0]) == {"kind", "id", "type", "role"}


def test_permission_update_delete_and_owner_rules(sandbox, ana, ben):
    f = ana.files().create(body={"name": "x"}).execute()
    p = ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader", "emailAddress": BEN}
                                 ).execute()
    assert ana.permissions().update(fileId=f["id"], permissionId=p["id"], body={"role": "writer"}
                                    ).execute()["role"] == "writer"
    assert ana.permissions().get(fileId=f["id"], permissionId=p["id"], fields="emailAddress,role").execute() == {
        "emailAddress": BEN, "role": "writer"}
    owner_id = ana.files().get(fileId=f["id"], fields="owners").execute()["owners"][0]["permissionId"]
    assert status_reason(ana.permissions().delete(fileId=f["id"], permissionId=owner_id)) == (
        403, "cannotRemoveOwner")
    assert status_reason(ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "owner",
                                                                         "emailAddress": BEN})) == (403, "forbidden")
    ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "owner", "emailAddress": BEN},
                             transferOwnership=True, moveToNewOwnersRoot=True).execute()
    assert role_of(sandbox.store, BEN, f["id"]) == "owner"
    assert role_of(sandbox.store, ANA, f["id"]) == "writer"
    assert ben.files().get(fileId=f["id"], fields="ownedByMe").execute() == {"ownedByMe": True}
    ben.permissions().delete(fileId=f["id"], permissionId=owner_id).execute()  # Ana's former owner entry
    assert status_reason(ana.files().get(fileId=f["id"])) == (404, "notFound")
    assert status_reason(ben.permissions().get(fileId=f["id"], permissionId="12345")) == (404, "notFound")


def test_batch_of_permission_creates(sandbox, ana):
    f = ana.files().create(body={"name": "Feedback form", "mimeType": FORM}).execute()
    answers: dict[str, object] = {}

    def collect(request_id, response, exception):
        answers[request_id] = exception or response

    batch = ana.new_batch_http_request(callback=collect)
    for email in (BEN, CARA):
        batch.add(ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader",
                                                                 "emailAddress": email, "view": "published"},
                                           sendNotificationEmail=False))
    batch.add(ana.permissions().create(fileId="missing", body={"type": "user", "role": "reader",
                                                               "emailAddress": BEN}))
    batch.execute()
    assert answers["1"]["role"] == "reader" and answers["2"]["type"] == "user"
    assert isinstance(answers["3"], HttpError) and answers["3"].resp.status == 404
    assert can_respond(sandbox.store, BEN, f["id"]) and can_respond(sandbox.store, CARA, f["id"])
    assert sent_emails(sandbox.store) == []


def test_ownership_transfer_is_refused_across_organizations(ana):
    f = ana.files().create(body={"name": "x"}).execute()
    assert status_reason(ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "owner",
                                                                         "emailAddress": OUTSIDER},
                                                  transferOwnership=True)) == (403, "forbidden")


def test_admin_sees_everything(sandbox, build_service, ana, admin):
    f = ana.files().create(body={"name": "private"}).execute()
    root = build_service(sandbox, "drive", "v3", admin)
    assert root.files().get(fileId=f["id"], fields="name").execute() == {"name": "private"}
    assert f["id"] in [x["id"] for x in root.files().list().execute()["files"]]


def test_deleting_a_folder_orphans_files_others_own(sandbox, ana, ben):
    folder = ana.files().create(body={"name": "Shared", "mimeType": FOLDER}).execute()
    ana.permissions().create(fileId=folder["id"], body={"type": "user", "role": "writer", "emailAddress": BEN}
                             ).execute()
    mine = ana.files().create(body={"name": "ana's", "parents": [folder["id"]]}).execute()
    his = ben.files().create(body={"name": "ben's", "parents": [folder["id"]]}, fields="id,ownedByMe").execute()
    assert his["ownedByMe"] is True
    ana.files().delete(fileId=folder["id"]).execute()
    assert status_reason(ana.files().get(fileId=mine["id"])) == (404, "notFound")
    assert ben.files().get(fileId=his["id"], fields="name,parents").execute() == {"name": "ben's"}


def test_writers_can_share_off_and_link_sharing_is_not_listed(sandbox, ana, ben):
    f = ana.files().create(body={"name": "Locked", "writersCanShare": False}).execute()
    ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "writer", "emailAddress": BEN}).execute()
    assert status_reason(ben.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader",
                                                                         "emailAddress": CARA})) == (
        403, "insufficientFilePermissions")
    link = ana.files().create(body={"name": "By link"}).execute()
    ana.permissions().create(fileId=link["id"], body={"type": "anyone", "role": "reader"}).execute()
    assert ben.files().get(fileId=link["id"], fields="name").execute() == {"name": "By link"}
    assert [x["name"] for x in ben.files().list().execute()["files"]] == ["Locked"]
    assert ana.files().get(fileId=link["id"], fields="shared").execute() == {"shared": True}
    assert ben.files().list(q="visibility = 'anyoneWithLink'").execute()["files"] == []
    assert [x["name"] for x in ana.files().list(q="visibility = 'anyoneWithLink'").execute()["files"]] == [
        "By link"]


def test_sharing_without_notification_needs_a_google_account(sandbox, ana, ben):
    """Google refuses to share silently with an address that has no Google account: 400
    ``invalidSharingRequest`` 'Bad Request. User message: "You are trying to invite x. Since there is no
    Google account associated with this email address, you must check the 'Notify people' box to invite
    this recipient."' (as reported by Drive v3 users); with the notification it invites them."""
    register_accounts(sandbox.store, [ANA, CARA])
    f = ana.files().create(body={"name": "Plan"}).execute()
    stranger = "nobody@nowhere.example.net"
    with pytest.raises(HttpError) as caught:
        ana.permissions().create(fileId=f["id"], sendNotificationEmail=False,
                                 body={"type": "user", "role": "reader", "emailAddress": stranger}).execute()
    assert caught.value.resp.status == 400
    assert caught.value.error_details[0]["reason"] == "invalidSharingRequest"
    assert str(caught.value.reason) == (
        f'Bad Request. User message: "You are trying to invite {stranger}. Since there is no Google account '
        "associated with this email address, you must check the 'Notify people' box to invite this recipient.\"")
    assert [p["role"] for p in ana.permissions().list(fileId=f["id"]).execute()["permissions"]] == ["owner"]
    ana.permissions().create(fileId=f["id"], body={"type": "user", "role": "reader", "emailAddress": stranger}
                             ).execute()  # notified: invited
    ana.permissions().create(fileId=f["id"], sendNotificationEmail=False,  # registered
                             body={"type": "user", "role": "reader", "emailAddress": CARA}).execute()
    ben.files().list().execute()  # Ben signs in: he has an account from then on
    ana.permissions().create(fileId=f["id"], sendNotificationEmail=False,
                             body={"type": "user", "role": "writer", "emailAddress": BEN}).execute()
    assert sorted(e["to"] for e in sent_emails(sandbox.store)) == [stranger]


def test_an_unseeded_sandbox_knows_no_directory_and_shares_with_anyone(sandbox, ana):
    """A sandbox that was never given accounts cannot tell who exists: silent shares go through."""
    f = ana.files().create(body={"name": "Plan"}).execute()
    ana.permissions().create(fileId=f["id"], sendNotificationEmail=False,
                             body={"type": "user", "role": "reader", "emailAddress": OUTSIDER}).execute()
    assert role_of(sandbox.store, OUTSIDER, f["id"]) == "reader"
