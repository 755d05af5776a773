"""googleapiclient collections (``files()``, ``permissions()``, ``forms().responses()``...) are built once per
gateway, not on every request: building one creates a method object for each of its methods from the
discovery document, which was most of a tick's client-side time."""

from __future__ import annotations

from googleapiclient import discovery

from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.api import FormQuestion, FormSpec
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
ROOT = "0RootFolderForTheIltBotCedar01"
SPEC = FormSpec(title="Feedback", questions=(FormQuestion("plus", "Plus?"), FormQuestion("delta", "Delta?")))


def test_collections_are_built_once_per_gateway_whatever_the_number_of_requests(sandbox, monkeypatch):
    seed_root_folder(sandbox.store, ROOT, BOT)
    gw = Gateway(build_services(sandbox_credentials(BOT), lambda: sandbox_http(sandbox.url)), user=BOT,
                 domain="cedar.example.org", policy=RetryPolicy(sleep=lambda s: None))
    built: list[str] = []
    original = discovery.Resource.__init__

    def counting(self, *args, **kwargs):
        built.append(str((kwargs.get("resourceDesc") or {}).get("methods", {}).keys()))
        original(self, *args, **kwargs)

    monkeypatch.setattr(discovery.Resource, "__init__", counting)

    def work(n: int) -> None:
        for i in range(n):
            folder = gw.ensure_folder(f"cedar/folder/x{i}", f"Folder {i}", ROOT).file
            form = gw.ensure_form(f"cedar/feedback/x{i}", SPEC, folder.id).file
            gw.share(form.id, ["ana@cedar.example.org"], "reader", published_view=True)
            gw.list_responses(form.id)
            gw.find(f"cedar/folder/x{i}")

    calls = gw.total_calls
    work(1)
    first = len(built)
    assert 0 < first <= 6  # files, permissions, forms, forms.responses (+ none per request)
    assert gw.total_calls - calls > first  # more requests than collections built
    work(3)
    assert len(built) == first, built[first:]  # three times the requests, no new collection
    assert gw.drive.files() is gw.drive.files()
    assert gw.forms.forms().responses() is gw.forms.forms().responses()
