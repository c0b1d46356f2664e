"""Why a decision, or a review file, cannot be taken: each error's ``user_message()`` is
translated."""

from __future__ import annotations

from core.errors import BridgeError


class ReviewError(BridgeError):
    """A decision (or a review file) that cannot be taken as is; the message says why."""

    message = "This decision could not be saved."
    code = "invalid"


class UnknownDecision(ReviewError):
    message = (
        '"{word}" is not a decision. Use link, create, skip, rename or later '
        "(in French: lier, créer, ignorer, renommer, plus tard)."
    )
    code = "unknown_decision"


class LinkTargetMissing(ReviewError):
    message = 'Choose the QuickBooks Time record to link "{name}" to.'
    code = "target_missing"


class LinkTargetUnknown(ReviewError):
    message = (
        "No QuickBooks Time record number {target} is known for this kind of record. "
        "Choose one of the suggested matches, or fetch the data from QuickBooks Time again."
    )
    code = "target_unknown"


class LinkTargetTaken(ReviewError):
    message = (
        'That QuickBooks Time record is already linked to "{other}". Change that '
        'decision first, or choose Create new or Never import for "{name}".'
    )
    code = "target_taken"


class TargetIsTimeOff(ReviewError):
    message = (
        'QuickBooks Time record number {target} ("{qname}") is a time-off code, not a '
        'customer. Link "{name}" to a customer, or choose Create new or Never import.'
    )
    code = "target_time_off"


class TargetIsChildJob(ReviewError):
    message = (
        'QuickBooks Time record number {target} ("{qname}") is a job inside another '
        'customer, not a customer. Link "{name}" to a top-level customer, or choose '
        "Create new or Never import."
    )
    code = "target_child_job"


class TargetWrongKind(ReviewError):
    message = (
        'QuickBooks Time record number {target} ("{qname}") is not {expected}, so '
        '"{name}" cannot be linked to it. Choose one of the suggested matches, or '
        "Create new or Never import."
    )
    code = "target_wrong_kind"


class TargetIsAccountOwner(ReviewError):
    message = (
        'QuickBooks Time user number {target} ("{qname}") is the administrator whose '
        "access key this app uses: it is never linked to a Xero employee. Choose another "
        'user, or Create new or Never import for "{name}".'
    )
    code = "target_owner"


class TargetArchived(ReviewError):
    message = (
        'QuickBooks Time record number {target} ("{qname}") is archived. To use it, '
        'choose "Restore and link" (it will be restored in QuickBooks Time), or choose '
        'another record for "{name}".'
    )
    code = "target_archived"


class TargetNotArchived(ReviewError):
    message = (
        'QuickBooks Time record number {target} ("{qname}") is not archived, so there '
        "is nothing to restore: choose Link."
    )
    code = "target_not_archived"


class NewNameTaken(ReviewError):
    message = (
        '"{new}" is already the name of a record in QuickBooks Time (number '
        "{target}). Choose another name, or choose Link to use that record."
    )
    code = "name_taken"


class NewNameChosenTwice(ReviewError):
    message = '"{new}" is already the new name chosen for "{other}". Choose another name.'
    code = "name_taken"


class RenameNotForPeople(ReviewError):
    message = (
        '"{name}" is a person: QuickBooks Time takes their name from Xero, so they cannot be '
        "added under another name. Choose Create new, link them to a QuickBooks Time user, "
        "or Never import; to change the name, change it in Xero."
    )
    code = "rename_person"


class NewNameMissing(ReviewError):
    message = 'Type the new name for "{name}".'
    code = "name_missing"


class NewNameTooLong(ReviewError):
    message = (
        "The new name has {length} characters; QuickBooks Time allows at most {limit}. Shorten it."
    )
    code = "name_too_long"


class NewNameInvalid(ReviewError):
    message = "The new name cannot contain line breaks or tabs."
    code = "name_invalid"


class CreateNeedsRename(ReviewError):
    message = (
        '"{name}" is longer than QuickBooks Time allows ({limit} characters), so it '
        "cannot be created as is. Choose Rename and give it a shorter name."
    )
    code = "create_refused"


class CreateNameKept(ReviewError):
    message = (
        '"{name}" is the name of an archived customer in QuickBooks Time, and QuickBooks Time '
        "gives a name to one customer only, archived or not. Choose Restore and link to use "
        "that customer again, or Rename to create a new one under another name."
    )
    code = "create_refused"


class CreateNeedsName(ReviewError):
    message = (
        "This record has no usable name in Xero, so it cannot be created as is. "
        "Choose Rename and give it a name, or link it or choose Never import."
    )
    code = "create_refused"


class NoRoomForCustomFields(ReviewError):
    message = (
        "QuickBooks Time has no room for more custom fields. Choose Never import, or archive "
        "custom fields you no longer use in QuickBooks Time and fetch the data again."
    )
    code = "no_room"


class ReviewFileUnreadable(ReviewError):
    message = (
        "The file {path} could not be read as a review spreadsheet: {reason}. Nothing was changed."
    )
    code = "unreadable"


class ReviewFileTruncated(ReviewFileUnreadable):
    message = (
        "The file {path} is incomplete or damaged at line {line}: {reason}. Nothing was "
        "changed. Export the review again, or save the whole file again from your "
        "spreadsheet program."
    )
    code = "truncated"


class ReviewFileNotWritten(ReviewError):
    message = (
        "The file {path} could not be saved ({reason}). If it is open in another "
        "program, close it, or choose another folder; then try again."
    )
    code = "not_written"


class ReviewSaveFailed(ReviewError):
    message = (
        "Your decisions could not be saved, so nothing was changed. Try again; if it "
        "keeps failing, restart the app."
    )
    code = "save_failed"
