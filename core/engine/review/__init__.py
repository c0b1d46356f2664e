"""The conflict review, offline: decisions, undo/redo, safe bulk actions, CSV for an accountant.

Everything here reads and writes the local database only (no network): a person can review
matching conflicts on a plane, export them for their accountant, and import the answers back.

* :mod:`.rows` — each conflict with its saved decision, stale or not; progress.
* :mod:`.decisions` — validating and saving one answer (``link``, ``restore_link``, ``create``,
  ``skip``, ``rename``, ``later``), and the safe bulk actions.
* :mod:`.suggestions` — the action suggested for each record, its likeness in plain words,
  and how two names differ (``accept_suggestions`` saves the suggestions in one step).
* :mod:`.hours` — the hours tracked in QuickBooks Time against a look-alike's user or
  customer: which kinds have them, the window, the sum (the read is core.app.review_screen's,
  on a worker, for the pair shown).
* :mod:`.undo_stack` — every change of decisions is one undoable step.
* :mod:`.csv_file` — the export, and the strict import of an edited export.
* :mod:`.errors` — :class:`ReviewError` and its kinds, whose ``user_message()`` is translated.
"""

from __future__ import annotations

from core.engine.review.csv_file import (
    CSV_CANDIDATES,
    CSV_COLUMNS,
    ImportReport,
    RowProblem,
    export_csv,
    import_csv,
)
from core.engine.review.decisions import (
    CREATE_SAFE_PROBLEMS,
    EXACT_SAFE_PROBLEMS,
    LINK_ACTIONS,
    RESTORE_LINK,
    accept_all_exact,
    accept_suggestions,
    can_rename,
    clear_decision,
    create_all_unmatched,
    decide,
    is_create_safe,
    is_exact_safe,
    link_action,
    link_targets,
    suggestions_waiting,
)
from core.engine.review.errors import (
    CreateNameKept,
    CreateNeedsName,
    CreateNeedsRename,
    LinkTargetMissing,
    LinkTargetTaken,
    LinkTargetUnknown,
    NewNameChosenTwice,
    NewNameInvalid,
    NewNameMissing,
    NewNameTaken,
    NewNameTooLong,
    NoRoomForCustomFields,
    RenameNotForPeople,
    ReviewError,
    ReviewFileNotWritten,
    ReviewFileTruncated,
    ReviewFileUnreadable,
    ReviewSaveFailed,
    TargetArchived,
    TargetIsAccountOwner,
    TargetIsChildJob,
    TargetIsTimeOff,
    TargetNotArchived,
    TargetWrongKind,
    UnknownDecision,
)
from core.engine.review.rows import (
    ReviewRow,
    decision_words,
    progress,
    review_rows,
    visible_rows,
)
from core.engine.review.suggestions import (
    LIKENESS,
    Suggestion,
    likeness,
    name_diff,
    same_name,
    suggestion,
)
from core.engine.review.undo_stack import UNDO_LIMIT, can_redo, can_undo, redo_last, undo_last

__all__ = [
    "CREATE_SAFE_PROBLEMS",
    "CSV_CANDIDATES",
    "CSV_COLUMNS",
    "EXACT_SAFE_PROBLEMS",
    "LIKENESS",
    "LINK_ACTIONS",
    "RESTORE_LINK",
    "UNDO_LIMIT",
    "CreateNameKept",
    "CreateNeedsName",
    "CreateNeedsRename",
    "ImportReport",
    "LinkTargetMissing",
    "LinkTargetTaken",
    "LinkTargetUnknown",
    "NewNameChosenTwice",
    "NewNameInvalid",
    "NewNameMissing",
    "NewNameTaken",
    "NewNameTooLong",
    "NoRoomForCustomFields",
    "RenameNotForPeople",
    "ReviewError",
    "ReviewFileNotWritten",
    "ReviewFileTruncated",
    "ReviewFileUnreadable",
    "ReviewRow",
    "ReviewSaveFailed",
    "RowProblem",
    "Suggestion",
    "TargetArchived",
    "TargetIsAccountOwner",
    "TargetIsChildJob",
    "TargetIsTimeOff",
    "TargetNotArchived",
    "TargetWrongKind",
    "UnknownDecision",
    "accept_all_exact",
    "accept_suggestions",
    "can_redo",
    "can_rename",
    "can_undo",
    "clear_decision",
    "create_all_unmatched",
    "decide",
    "decision_words",
    "export_csv",
    "import_csv",
    "is_create_safe",
    "is_exact_safe",
    "likeness",
    "link_action",
    "link_targets",
    "name_diff",
    "progress",
    "redo_last",
    "review_rows",
    "same_name",
    "suggestion",
    "suggestions_waiting",
    "undo_last",
    "visible_rows",
]
