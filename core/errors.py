"""Domain errors. Each carries a message a non-technical user can act on, in their language.

Nothing here may contain a token, a code or a secret: messages are shown and logged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from core.i18n import N_, Msg, tr

F = TypeVar("F", bound=Callable[..., Any])

#: the two services, as the user reads their names
XERO = "Xero"
QBTIME = "QuickBooks Time"


class BridgeError(Exception):
    """Base class: ``user_message()`` says what happened and what to do."""

    message = "Something went wrong."
    #: the same sentence for someone at a command line, where the window's buttons are not:
    #: set where ``message`` names one ("Connect to Xero"); the same placeholders. None: the
    #: message says it for both.
    command_line_message: str | None = None

    def __init__(self, detail: str = "", **params: object) -> None:
        self.detail = detail
        self.params = params
        super().__init__(self.user_message("en") + (f" ({detail})" if detail else ""))

    def user_message(self, language: str | None = None) -> str:
        return self._words(self.message, language)

    def command_line_text(self, language: str | None = None) -> str:
        """What the headless commands print: :attr:`command_line_message` when the class has
        one, else :meth:`user_message`."""
        if self.command_line_message is None:
            return self.user_message(language)
        return self._words(self.command_line_message, language)

    def _words(self, text: str, language: str | None) -> str:
        return tr(text, language, **self.params)


class NetworkError(BridgeError):
    message = (
        "Could not reach {service}. Check your internet connection, then try again. "
        "Nothing was lost."
    )


class ServiceUnavailable(BridgeError):
    message = "{service} is not answering right now (it may be under maintenance). Try again in a few minutes."


class RateLimited(BridgeError):
    message = (
        "{service} is receiving too many requests from us and asked us to pause. "
        "Wait about {seconds} seconds, then try again; nothing was lost."
    )


class DailyLimitReached(BridgeError):
    """Xero's day limit for an organisation is used up (``resume_at``: when its calls come
    back, local time). Said in the words of the import; a command that sends hours, bills or
    undoes says it in its own (:meth:`during`: the subclasses below, with what it did)."""

    message = (
        "Xero allows a limited number of requests per organisation each day, and today's are used up. "
        "You can resume after {resume_at}; the import will continue where it stopped."
    )
    #: the words when the command stopped before it changed anything in Xero (``done`` 0);
    #: None: :attr:`message` says it
    nothing_done_message: str | None = None

    def user_message(self, language: str | None = None) -> str:
        if self.nothing_done_message is not None and not self.params.get("done"):
            return self._words(self.nothing_done_message, language)
        return super().user_message(language)

    def during(self, stopped: type[DailyLimitReached], **params: object) -> DailyLimitReached:
        """This stop said by the command it stopped (``stopped``: one of the subclasses),
        with what that command did (``params``: ``done``, ``total``, ``left``...); when
        Xero's calls come back and its other tags (``resume_ts``, ``retry_after``) kept."""
        err = stopped(self.detail, **{**self.params, **params})
        for name in ("service", "status", "maybe_applied", "retry_after", "resume_ts"):
            if hasattr(self, name):
                setattr(err, name, getattr(self, name))
        return err


def said_by(
    stopped: type[DailyLimitReached], params: Callable[..., dict[str, object]] | None = None
) -> Callable[[F], F]:
    """A decorator: Xero's day limit reached in the function before it changed anything in
    Xero (a preview's reads, an undo's), said in the words of the command ``stopped`` (a
    subclass of DailyLimitReached) rather than the import's; ``params``: the message's other
    placeholders, from the function's arguments. A stop the function said itself is left
    as it is."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def said(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except DailyLimitReached as exc:
                if type(exc) is not DailyLimitReached:
                    raise  # (said by a command already)
                more = params(*args, **kwargs) if params is not None else {}
                raise exc.during(stopped, done=0, **more) from exc

        return cast(F, said)

    return wrap


class HoursStoppedAtDailyLimit(DailyLimitReached):
    """Sending hours to Xero Payroll stopped at the day limit: ``done`` of the ``total``
    timesheets and leave records were sent, ``left`` were not."""

    message = (
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: {done} of the {total} timesheets and leave records were sent, the other "
        "{left} were not. Send the hours again after {resume_at}: what was sent is not sent "
        "twice."
    )
    nothing_done_message = N_(
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: no hours were sent. Send them after {resume_at}."
    )


class BillingStoppedAtDailyLimit(DailyLimitReached):
    """A billing run stopped at the day limit: ``done`` of the ``total`` invoices were
    sent to Xero, ``left`` were not."""

    message = (
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: {done} of the {total} invoices were sent to Xero, the other {left} were not. "
        "Bill the same days again after {resume_at}: the invoices already sent are not made "
        "twice."
    )
    nothing_done_message = N_(
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: no invoice was sent. Bill these days after {resume_at}."
    )


class UndoStoppedAtDailyLimit(DailyLimitReached):
    """An undo (of a sending of hours or a billing run: ``run``) stopped at the day limit:
    ``done`` changes reverted, ``left`` still to undo."""

    message = (
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: run #{run} was partly undone ({done} change(s) reverted, {left} still to "
        "undo). Undo it again after {resume_at}: what was reverted is not sent again."
    )
    nothing_done_message = N_(
        "Xero allows a limited number of requests per organisation each day, and today's are "
        "used up: nothing of run #{run} was undone. Undo it after {resume_at}."
    )


class ReauthorizationRequired(BridgeError):
    message = 'Xero needs you to sign in again. Click "Connect to Xero" to reconnect; your settings are kept.'
    command_line_message = N_(
        "Xero needs you to sign in again. Run connect-xero to reconnect; your settings are kept."
    )


class QBTimeTokenInvalid(BridgeError):
    message = (
        "QuickBooks Time did not accept this access key. Create a new one in QuickBooks Time "
        "(Feature Add-ons > API > Add token), then connect with it."
    )


class QBTimeKeyMissing(BridgeError):
    """Nothing was given where the access key was expected (nothing was sent)."""

    message = (
        "No access key was given. Copy the key from QuickBooks Time (Feature Add-ons > API), "
        "then give it again."
    )


class QBTimePermissionMissing(BridgeError):
    message = (
        "This QuickBooks Time access key belongs to a user who cannot {permission}. "
        "Ask an administrator to create the key, or give that user this permission."
    )


class AccountAlreadyBound(BridgeError):
    message = (
        'The Xero organisation "{organisation}" is already connected to the QuickBooks Time '
        'company "{company}". One organisation connects to one QuickBooks Time account: '
        "disconnect the other one first if you really want to switch."
    )


class SecureStorageUnavailable(BridgeError):
    message = (
        "No secure password storage was found on this computer, so your sign-in cannot be kept safely. "
        "{hint}"
    )


class SecureStorageError(BridgeError):
    message = (
        "Your computer's password storage refused the request ({reason}). Unlock it "
        "(or accept the prompt), then try again."
    )


class SignInCancelled(BridgeError):
    message = (
        "Signing in to Xero was cancelled or denied. You can try again whenever you are ready."
    )


class SignInTimedOut(BridgeError):
    message = 'We waited 5 minutes for Xero\'s answer in your browser. Click "Connect to Xero" to try again.'
    command_line_message = N_(
        "We waited 5 minutes for Xero's answer in your browser. Run connect-xero to try again."
    )


class SignInFailed(BridgeError):
    message = (
        "Xero sign-in did not complete: {reason}. Try again; if it keeps failing, restart the app."
    )


class ApiError(BridgeError):
    message = "{service} answered with an error: {reason}"


class DatabaseError(BridgeError):
    message = "{reason}"


class AlreadyRunning(BridgeError):
    message = (
        "The app is already open (or an import is running from a scheduled task). "
        "Close the other window first."
    )
    command_line_message = (
        "Not run: the app is open in a window, or another command is running (a scheduled "
        "task), and this command needs the app's data to itself. Nothing was changed. Run it "
        "again once the window is closed or the other command has ended; `status` works "
        "meanwhile."
    )


class DatabaseTooNew(BridgeError):
    message = (
        "Your data was saved by a newer version of this app (format {found}, this version "
        "understands up to {supported}). Install the latest version to continue."
    )


class XeroAppNotConfigured(BridgeError):
    message = (
        "This copy of the app has no Xero client id yet. Whoever registers the app with Xero "
        '(developer.xero.com/myapps, app type "Auth Code with PKCE", redirect URIs '
        "{redirect_uris}) must put its client id in the environment variable "
        'XQB_XERO_CLIENT_ID or under "xero_client_id" in {settings_file}.'
    )


class XeroRedirectPortsInvalid(BridgeError):
    message = (
        "The Xero redirect ports set in {source} are not valid: give one or more port numbers "
        "between 1024 and 65535 separated by commas (for example 28271,28272,28273), each "
        "registered with Xero as http://localhost:<port>/callback."
    )


class SettingsFileInvalid(BridgeError):
    message = "The settings file {path} could not be read ({reason}). Fix it or delete it, then restart the app."


class _ReasonedError(BridgeError):
    """A message whose ``reason`` (an ``N_`` string) has placeholders of its own, filled from
    the same parameters, in the sentence's language."""

    def _words(self, text: str, language: str | None) -> str:
        params = dict(self.params)
        reason = params.get("reason")
        if isinstance(reason, Msg):
            others = {k: v for k, v in params.items() if k != "reason"}
            params["reason"] = tr(str(reason), language, **others)
        return tr(text, language, **params)


class CompanyFileInvalid(_ReasonedError):
    """A Demo Company file (``--demo-data``) that cannot be used; nothing was written."""

    message = (
        "The Demo Company file {path} cannot be used: {reason}. Nothing was saved. Fix it or "
        "choose a company file written by this app (python -m core.sandbox.generate writes "
        "one), or leave out --demo-data to use the built-in Demo Company."
    )


class DemoStateInvalid(_ReasonedError):
    """The Demo Company's saved state cannot be read (your own data is not in it)."""

    message = (
        "The Demo Company's saved state in {folder} cannot be used ({file}: {reason}). "
        "Your own data is not affected. Delete that folder to start the Demo Company afresh."
    )


class AppFolderUnusable(_ReasonedError):
    """One of the app's own folders (its data, settings, logs; all under XQB_HOME when set)
    cannot be made or used."""

    message = (
        "The app cannot keep its files in {folder}: {reason}. Move that file away or give "
        "the app a folder it can use (XQB_HOME, when it is set, names where all its folders "
        "go), then start it again."
    )


class DemoStateFolderUnusable(_ReasonedError):
    """The folder named for the Demo Company's state (``--demo-state``) cannot hold it."""

    message = (
        "The Demo Company cannot keep its state in {folder}: {reason}. Give --demo-state a "
        "folder (it is made if missing), or leave it out to use the usual one."
    )


class SignInPortsBusy(SignInFailed):
    message = (
        "The app could not receive Xero's answer: ports {ports} on this computer are all used "
        "by other programs. Close those programs (or restart the computer), then try again."
    )


class RevocationIncomplete(BridgeError):
    message = (
        "This computer no longer keeps your Xero sign-in, but Xero could not be told ({reason}). "
        'To be sure, remove the app from "Connected apps" in your Xero settings.'
    )


class DatabaseMigrationFailed(BridgeError):
    message = (
        "Your saved data could not be updated to this version's format (step to format "
        "{version}). Nothing was lost: the failed step was undone, and a copy of your data "
        "from before the update is kept at {backup}. Restart the app; if this keeps "
        "happening, contact support and keep that copy."
    )


class DatabaseNotRecognised(BridgeError):
    message = (
        "The file {path} is not a data file of this app (or it is damaged), so it was left "
        "untouched. Move it elsewhere and restart the app to start afresh."
    )


# -- the database and the disk: what happened and what to do, never a traceback ----------------
#: how the user puts a backup back, or starts afresh (the headless command; the wizard offers
#: the same as buttons)
RESTORE_COMMAND = "xero-qbtime-bridge restore-backup"
START_AFRESH_COMMAND = "xero-qbtime-bridge restore-backup --start-afresh"


class DatabaseDamaged(BridgeError):
    """The database file cannot be read (damaged pages, or not a database at all)."""

    message = (
        "Your saved data ({path}) is damaged and cannot be read ({reason}). Nothing was "
        "changed. No good backup copy was found: move the file elsewhere (keep it for "
        "support) and restart the app to start afresh."
    )

    def __init__(self, detail: str = "", **params: object) -> None:
        self.backup = params.pop("backup_file", None)
        super().__init__(detail, **params)


class DatabaseDamagedBackupAvailable(DatabaseDamaged):
    message = (
        "Your saved data ({path}) is damaged and cannot be read ({reason}). Nothing was "
        "changed. A good backup copy from {date} is kept at {backup}. To put it back, run: "
        "{command} (the damaged file is kept aside, never deleted)."
    )


class DatabaseLost(BridgeError):
    """The database was there (the marker says it held data) and is now missing or empty."""

    message = (
        "Your history was lost: {path} held {connections} connection(s) and {runs} "
        "import(s), and it is now {state}. Nothing was written to it. No backup copy was "
        "found. If you really mean to start afresh, run: {afresh}"
    )

    def __init__(self, detail: str = "", **params: object) -> None:
        self.backup = params.pop("backup_file", None)
        super().__init__(detail, **params)


class DatabaseLostBackupAvailable(DatabaseLost):
    message = (
        "Your history was lost: {path} held {connections} connection(s) and {runs} "
        "import(s), and it is now {state}. Nothing was written to it. Restore the backup "
        "from {date} ({backup}) with: {command} — or, if you really mean to start afresh, "
        "run: {afresh}"
    )


class DatabaseReadOnly(BridgeError):
    message = (
        "The app cannot save its data in {path}: the file or its folder is read-only. "
        "Nothing was changed. Give your user account permission to change them (or "
        "choose a folder you can write to), then try again."
    )


class DiskFull(BridgeError):
    message = (
        "The disk holding {path} is full, so the app could not save. What was being "
        "saved was undone and nothing was lost. Free some space on that disk, then try "
        "again: the next run finishes the work."
    )


class DiskWriteFailed(BridgeError):
    """SQLite's "disk I/O error": the file system refused a read or write (a full disk or
    quota, a file-size limit, a removed or failing disk). Not a damaged file: a check of it
    at the next start tells, and restoring a backup would throw away work that is safe."""

    message = (
        "The app could not read or save its data in {path}: the computer refused to use that "
        "disk (it may be full, over a limit, removed or failing). Nothing was lost: what was "
        "being saved was undone. Free some space or check the disk, then try again: the next "
        "run finishes the work. Do not restore a backup for this."
    )


class CommandInterrupted(BridgeError):
    message = (
        "Stopped at your request. What was already sent is recorded; run the same "
        "command again to finish."
    )


class UnexpectedError(BridgeError):
    message = (
        "Something unexpected stopped the app ({reason}). Nothing more was written. The "
        "details are in the log file {log}; send it to support if this happens again."
    )


class NoBackupFound(BridgeError):
    message = "No good backup copy of your data was found in {folder}. Nothing was changed."


class BackupNotUsable(BridgeError):
    message = (
        "The file {path} is not a good backup copy of this app's data ({reason}). "
        "Nothing was changed. Choose another copy from {folder}."
    )


#: the start-up dialog's buttons when the data is damaged or lost (the wizard shows them)
RESTORE_BUTTON = N_("Restore the backup copy")
START_AFRESH_BUTTON = N_("Start afresh")


class BackupTooNew(BackupNotUsable):
    """A backup copy written by a newer version of the app: refused before anything changes."""

    message = (
        "The backup copy {path} was saved by a newer version of this app (format {found}, "
        "this version understands up to {supported}). Nothing was changed. Install the "
        "latest version to restore it, or choose another copy from {folder}."
    )
