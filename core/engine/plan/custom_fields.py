"""The custom fields: one for the Xero items, one per tracking category, and their items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.engine import matching
from core.engine.names import NAME_LIMIT, fits_qbtime, qbt_name_key, sent_name
from core.engine.plan.context import PlanContext
from core.engine.plan.model import DEFAULT_ITEM_FIELD_NAME, ITEMS_FIELD_XERO_ID, Action
from core.engine.plan.rules import linked_active, linked_name
from core.i18n import N_


class FieldPlanner:
    """The items' custom field and the tracking categories' fields, with their items."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        #: Xero id (tracking category, or the items) -> the id of its existing field
        self._field_ids: dict[str, int] = {}
        #: name keys of the fields this plan keeps -> their Xero id
        self._field_names: dict[str, str] = {}

    def items(self) -> None:
        opts = self.ctx.options
        importable, retired = [], []
        for item in self.ctx.snap.items:
            name = self.ctx.sent_name(item.name) or self.ctx.sent_name(item.code)
            if item.importable:
                importable.append((item.item_id, name))
                continue
            retired.append(item.item_id)
            reason = (
                N_("tracked as inventory in Xero (only untracked items are imported)")
                if item.is_tracked
                else N_("not sold in Xero (only sold items are imported)")
            )
            self.ctx.skip("item", item.item_id, name, reason)
        known = {i.item_id for i in self.ctx.snap.items}
        retired += [x for x in self.ctx.links.get("item", {}) if x not in known]  # deleted in Xero
        if not importable and ITEMS_FIELD_XERO_ID not in self.ctx.links.get(
            "tracking_category", {}
        ):
            return
        field_name = sent_name(opts.item_field_name) or DEFAULT_ITEM_FIELD_NAME
        category = next(
            (
                c.name
                for c in self.ctx.snap.tracking
                if opts.import_tracking
                and c.status == "ACTIVE"
                and qbt_name_key(c.name) == qbt_name_key(field_name)
            ),
            None,
        )
        if category is not None:
            # The import creates (or keeps) a field of this name for the tracking category.
            self.ctx.skip(
                "item",
                ITEMS_FIELD_XERO_ID,
                field_name,
                N_(
                    'another active custom field in QuickBooks Time is named "{other}": '
                    "rename one of them (or choose another name for the items' field "
                    "in the options)"
                ),
                other=category,
            )
            ref: str | None = "blocked"
        else:
            ref = self._field_for(ITEMS_FIELD_XERO_ID, field_name, opts.require_item, "item")
        if ref == "blocked":
            blocked_by = next(
                (sk for sk in self.ctx.plan.skipped if sk.xero_id == ITEMS_FIELD_XERO_ID), None
            )
            reason = (
                N_("the items' custom field cannot be written (see its line)")
                if blocked_by is not None and "other" in blocked_by.params
                else N_("no room for the items' custom field")
            )
            for xero_id, name in importable:
                self.ctx.skip("item", xero_id, name, reason)
            return
        self._items_of_field("item", ITEMS_FIELD_XERO_ID, ref, importable, retired)

    def tracking(self) -> None:
        for category in self.ctx.snap.tracking:
            cid = category.category_id
            name = sent_name(category.name)
            if category.status != "ACTIVE":
                qbt_id = self.ctx.links.get("tracking_category", {}).get(cid)
                fld = self.ctx.fields.get(qbt_id) if qbt_id is not None else None
                if fld is not None and fld.active:
                    self.ctx.add(
                        Action(
                            f"field:{cid}:archive",
                            "archive",
                            "archive",
                            "customfield",
                            "custom_fields",
                            fld.name,
                            cid,
                            fld.id,
                            None,
                            before={"active": True},
                            after={"active": False},
                            reason=N_("archived in Xero"),
                        )
                    )
                continue
            # Xero allows longer names (100 characters) and blank ones: reported, never sent.
            if not name:
                self.ctx.skip(
                    "tracking_category", cid, category.name, N_("the name is empty in Xero")
                )
                continue
            if not fits_qbtime(name):
                self.ctx.skip(
                    "tracking_category",
                    cid,
                    name,
                    N_(
                        "the name is longer than QuickBooks Time allows ({limit} characters): "
                        "choose a shorter name in the review"
                    ),
                    limit=NAME_LIMIT,
                )
                continue
            active_options = [
                (o.option_id, sent_name(o.name)) for o in category.options if o.status == "ACTIVE"
            ]
            if not active_options and cid not in self.ctx.links.get("tracking_category", {}):
                # a field holding nothing to choose would take one of QuickBooks Time's few
                # active custom fields for nothing
                self.ctx.skip(
                    "tracking_category",
                    cid,
                    name,
                    N_(
                        "it has no active options in Xero, so its custom field would hold "
                        "nothing to choose: it is imported once it has one"
                    ),
                )
                continue
            ref = self._field_for(cid, name, None, "tracking_category")
            if ref == "blocked":
                continue
            retired = [o.option_id for o in category.options if o.status != "ACTIVE"]
            self._items_of_field("tracking_option", cid, ref, active_options, retired)

    def _field_for(self, xero_id: str, name: str, required: bool | None, kind: str) -> str | None:
        """Plan the custom field for ``xero_id``; returns the ref items must wait for, or
        None when the field exists (items then use its id) — see :meth:`_field_id`."""
        linked = self.ctx.links.get("tracking_category", {}).get(xero_id)
        field_obj = self.ctx.fields.get(linked) if linked is not None else None
        ref = f"field:{xero_id}"
        if field_obj is None:
            # A field linked to another Xero id (e.g. the items' field while items are not
            # imported this time) is not free to take by name.
            taken = self.ctx.claimed["tracking_category"] | set(
                self.ctx.links.get("tracking_category", {}).values()
            )
            field_obj = next(
                (
                    f
                    for f in self.ctx.snap.customfields
                    if qbt_name_key(f.name) == qbt_name_key(name)
                    and f.applies_to == "timesheet"
                    and f.id not in taken
                ),
                None,
            )
            if field_obj is not None:
                self.ctx.add(
                    Action(
                        ref + ":link",
                        "custom_fields",
                        "link",
                        "customfield",
                        "custom_fields",
                        name,
                        xero_id,
                        field_obj.id,
                        "tracking_category",
                        reason=N_("same name"),
                    )
                )
        clash = self._field_name_taken(name, xero_id, field_obj)
        if clash is not None:
            # Two active fields with one name: QuickBooks Time users cannot tell them apart
            # and values land in the wrong one. Reported, never written.
            self.ctx.skip(
                kind,
                xero_id,
                name,
                N_(
                    'another active custom field in QuickBooks Time is named "{other}": '
                    "rename one of them (or choose another name for the items' field "
                    "in the options)"
                ),
                other=clash,
            )
            return "blocked"
        self._field_names[qbt_name_key(name)] = xero_id
        if field_obj is None:
            active = sum(1 for f in self.ctx.snap.customfields if f.active)
            planned = sum(
                1
                for a in self.ctx.plan.actions
                if a.entity == "customfield" and a.op in ("create", "restore")
            )
            problem = matching.check_custom_field_capacity(active + planned, 1, kind=kind)
            if problem is not None:
                self.ctx.skip(
                    kind,
                    xero_id,
                    name,
                    N_(
                        "QuickBooks Time allows at most {limit} active custom fields: archive "
                        "one in QuickBooks Time to make room"
                    ),
                    limit=matching.MAX_ACTIVE_CUSTOM_FIELDS,
                )
                return "blocked"
            after = {
                "name": name,
                "applies_to": "timesheet",
                "type": "managed-list",
                "required": bool(required),
                "show_to_all": True,
            }
            self.ctx.add(
                Action(
                    ref,
                    "custom_fields",
                    "create",
                    "customfield",
                    "custom_fields",
                    name,
                    xero_id,
                    None,
                    "tracking_category",
                    after=after,
                    reason=(
                        N_("new custom field for the Xero items")
                        if xero_id == ITEMS_FIELD_XERO_ID
                        else N_("new custom field for a Xero tracking category")
                    ),
                )
            )
            return ref
        self.ctx.claimed["tracking_category"].add(field_obj.id)
        before: dict[str, Any] = {}
        after = {}
        if not field_obj.active:
            # Restoring an archived field takes an active slot too (over the limit, QB Time
            # answers 417).
            active = sum(1 for f in self.ctx.snap.customfields if f.active)
            planned = sum(
                1
                for a in self.ctx.plan.actions
                if a.entity == "customfield" and a.op in ("create", "restore")
            )
            if matching.check_custom_field_capacity(active + planned, 1, kind=kind) is not None:
                self.ctx.skip(
                    kind,
                    xero_id,
                    name,
                    N_(
                        "QuickBooks Time allows at most {limit} active custom fields: archive "
                        "one in QuickBooks Time to make room"
                    ),
                    limit=matching.MAX_ACTIVE_CUSTOM_FIELDS,
                )
                return "blocked"
            before["active"], after["active"] = False, True
        if field_obj.name != name:
            before["name"], after["name"] = field_obj.name, name
        if required is not None and field_obj.required != required:
            before["required"], after["required"] = field_obj.required, required
        if after:
            op = "restore" if "active" in after else "update"
            self.ctx.add(
                Action(
                    ref + ":" + op,
                    "custom_fields",
                    op,
                    "customfield",
                    "custom_fields",
                    name,
                    xero_id,
                    field_obj.id,
                    None,
                    before=before,
                    after=after,
                    reason=N_("custom field settings changed"),
                )
            )
        self._field_ids[xero_id] = field_obj.id
        return None

    def _field_name_taken(self, name: str, xero_id: str, field_obj: Any) -> str | None:
        """The name of another active field (or of a field planned for another purpose)
        that ``name`` would clash with, for the field of ``xero_id`` (``field_obj``: the
        QuickBooks Time field it uses, None when it is to be created)."""
        key = qbt_name_key(name)
        own = field_obj.id if field_obj is not None else None
        for fld in self.ctx.snap.customfields:
            if fld.active and fld.id != own and qbt_name_key(fld.name) == key:
                return fld.name
        other = self._field_names.get(key)
        if other is not None and other != xero_id:
            return name
        return None

    def _items_of_field(
        self,
        kind: str,
        field_xero_id: str,
        field_ref: str | None,
        wanted: Sequence[tuple[str, str]],
        retired: Iterable[str],
    ) -> None:
        """Plan the items of one custom field: ``wanted`` (xero id, name) active; ``retired``
        Xero ids whose linked item must be archived."""
        field_id = self._field_ids.get(field_xero_id)
        link_kind = "item" if kind == "item" else "tracking_option"
        # An item linked to a Xero record that is not wanted now (retired) is archived
        # below; it must not be offered to the others (as for customers).
        wanted_ids = {x for x, _n in wanted}
        elsewhere = {q for x, q in self.ctx.links.get(link_kind, {}).items() if x not in wanted_ids}
        existing = [
            (i.id, i.name, i.active)
            for i in self.ctx.snap.customfielditems
            if field_id is not None and i.customfield_id == field_id and i.id not in elsewhere
        ]
        existing_ids = {e[0] for e in existing}  # (once: it was made again for every link)
        links = {x: q for x, q in self.ctx.links.get(link_kind, {}).items() if q in existing_ids}
        result = matching.match_named(
            kind,
            wanted,
            existing,
            links,
            memo=self.ctx.normal,
            remembered=self.ctx.remembered.get(kind),
        )
        self.ctx.plan.matches[f"{kind}:{field_xero_id}"] = result  # one per custom field
        names = dict(wanted)
        linked, new, create = self.ctx.resolve(result, names, (e[0] for e in existing))
        creating = set(create)
        # QuickBooks Time refuses a new item whose name (any case) is another's in the same
        # field, archived ones included: an item kept for a Xero record no longer imported
        # holds its name (two Xero items differing only in case, the one sold swapped)
        held = {
            qbt_name_key(i.name): i.name
            for i in self.ctx.snap.customfielditems
            if field_id is not None and i.customfield_id == field_id and i.id in elsewhere
        }
        # a Xero item is an item; a tracking option is a choice of its custom field
        summary = "items" if kind == "item" else "custom_field_items"
        for xero_id, xname in wanted:
            name = self.ctx.desired_name(kind, xero_id, xname)
            ref = f"{kind}:{xero_id}"
            if xero_id in linked:
                item = self.ctx.qbt_items[linked[xero_id]]
                if xero_id in new:
                    self.ctx.add(
                        Action(
                            ref + ":link",
                            "custom_field_items",
                            "link",
                            "customfielditem",
                            summary,
                            name,
                            xero_id,
                            item.id,
                            link_kind,
                            reason=N_("same name"),
                        )
                    )
                changed_from: dict[str, Any] = {}
                changed_to: dict[str, Any] = {}
                # never blank, never too long
                new_name = linked_name(kind, name, item.name, sent=self.ctx.sent_name)
                if new_name != item.name:
                    changed_from["name"], changed_to["name"] = item.name, new_name
                if linked_active(kind, True, item.active) != item.active:  # offered in Xero
                    changed_from["active"], changed_to["active"] = False, True
                if changed_to:
                    op = "restore" if "active" in changed_to else "update"
                    self.ctx.add(
                        Action(
                            ref + ":" + op,
                            "custom_field_items",
                            op,
                            "customfielditem",
                            summary,
                            name,
                            xero_id,
                            item.id,
                            None,
                            before=changed_from,
                            after=changed_to,
                            reason=N_("changed in Xero"),
                        )
                    )
            elif xero_id in creating:
                holder = held.get(qbt_name_key(name))
                if holder is not None:
                    self.ctx.skip(
                        kind,
                        xero_id,
                        name,
                        N_(
                            'QuickBooks Time keeps the name for "{other}", the item of a Xero '
                            "record no longer imported: rename one of them in Xero, or delete "
                            '"{other}" in QuickBooks Time'
                        ),
                        other=holder,
                    )
                    continue
                created: dict[str, Any] = {"customfield_id": field_id, "name": name}
                self.ctx.add(
                    Action(
                        ref,
                        "custom_field_items",
                        "create",
                        "customfielditem",
                        summary,
                        name,
                        xero_id,
                        None,
                        link_kind,
                        after=created,
                        needs=field_ref,
                        reason=N_("new in Xero"),
                    )
                )
        for xero_id in retired:
            qbt_id = self.ctx.links.get(link_kind, {}).get(xero_id)
            old_item = self.ctx.qbt_items.get(qbt_id) if qbt_id is not None else None
            if old_item is not None and old_item.active:
                self.ctx.add(
                    Action(
                        f"{kind}:{xero_id}:archive",
                        "archive",
                        "archive",
                        "customfielditem",
                        summary,
                        old_item.name,
                        xero_id,
                        old_item.id,
                        None,
                        before={"active": True},
                        after={"active": False},
                        reason=N_("no longer offered in Xero"),
                    )
                )
