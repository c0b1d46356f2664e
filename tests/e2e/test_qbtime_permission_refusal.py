"""An import whose access key loses a permission (after it was checked) stops with a message
that says which permission, in English and French; a key that stops working altogether
still says the key was not accepted. Against the Demo Company."""

from __future__ import annotations

import pytest

from core.app.sync import sync
from core.errors import QBTimePermissionMissing, QBTimeTokenInvalid
from core.i18n import tr
from core.services.qbtime.client import NEEDS
from core.store.models import ImportRun, JournalEntry
from tests.reliability.support import MemoryBackend, open_demo


def _open(tmp_path):
    return open_demo("AU", tmp_path / "home", tmp_path / "state", MemoryBackend())


def _key_user(ctx):
    qb = ctx.sandbox.store.qbtime
    return next(u for u in qb["users"] if u["id"] == qb["current_user_id"])


def test_a_permission_lost_after_the_key_check_is_named_not_blamed_on_the_key(tmp_path):
    ctx, conn = _open(tmp_path)  # connecting checked the key: its user is an admin
    me = _key_user(ctx)
    assert me["permissions"]["admin"] is True
    me["permissions"].update(admin=False, manage_jobcodes=False, manage_users=True)
    ctx.sandbox.store.save("qbtime")
    kinds = ("customfields", "customfielditems", "jobcodes", "locations")
    before = {k: len(ctx.sandbox.store.qbtime[k]) for k in kinds}

    with pytest.raises(QBTimePermissionMissing) as info:
        sync(ctx, conn)
    err = info.value
    writes = {
        NEEDS[k].words for k in ("customers", "locations", "items")
    }  # what manage_users does not cover
    assert err.status == 401 and err.maybe_applied is False
    assert len(err.missing) == 1 and err.missing[0] in writes
    en, fr = err.user_message("en"), err.user_message("fr")
    assert f"belongs to a user who cannot {err.missing[0]}." in en
    assert "did not accept this access key" not in en
    assert f"appartient à un utilisateur qui ne peut pas {tr(err.missing[0], 'fr')}." in fr
    assert tr(err.missing[0], "fr") != err.missing[0]
    run = ImportRun.select().order_by(ImportRun.id.desc()).first()
    assert run is not None and run.status == "failed"
    assert {k: len(ctx.sandbox.store.qbtime[k]) for k in kinds} == before  # nothing applied
    states = {e.state for e in JournalEntry.select().where(JournalEntry.run == run)}
    assert "intent" not in states


def test_a_key_revoked_after_the_check_is_still_an_invalid_key(tmp_path):
    ctx, conn = _open(tmp_path)
    ctx.sandbox.store.qbtime["token"] = "S.1__revoked-and-replaced"
    ctx.sandbox.store.save("qbtime")
    with pytest.raises(QBTimeTokenInvalid) as info:
        sync(ctx, conn)
    assert "did not accept this access key" in info.value.user_message("en")
