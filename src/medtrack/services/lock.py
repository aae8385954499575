"""The prescriber lock: a PIN (stored as a slow salted hash) guarding changes that loosen limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from medtrack.errors import BadInput, Refused
from medtrack.i18n import _
from medtrack.storage.database import Database
from medtrack.storage.lock_state import KeepAndRefuse, LockState
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
# scrypt's cost: about half a second a PIN on a 2-core machine. It is stored with each hash and
# checked from there, so a test that lowers it (tests/conftest.py) still verifies any stored hash.
PIN_HASH_COST = {"n": 2**17, "r": 8, "p": 1}
_MAXMEM = 256 * 1024 * 1024
_PIN_RE = re.compile(r"[0-9]{4,12}")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    cost = PIN_HASH_COST
    digest = hashlib.scrypt(pin.encode(), salt=salt, maxmem=_MAXMEM, dklen=32, **cost)
    return f"scrypt${cost['n']}${cost['r']}${cost['p']}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    _scheme, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), maxmem=_MAXMEM, dklen=32)
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


def valid_pin(pin: str, what: str = "PIN") -> str:
    if not _PIN_RE.fullmatch(pin or ""):
        raise BadInput(_("{what} must be 4 to 12 digits (0-9)").format(what=what))
    return pin


def _refuse_failure(repo: Repository, state: LockState, now: dt.datetime, message: str) -> None:
    state.failures += 1
    if state.failures >= MAX_FAILURES:
        state.locked_until = now + LOCKOUT
        state.failures = 0
        message += " " + _("Too many wrong PINs: every change is locked for {minutes} minutes.").format(
            minutes=LOCKOUT.seconds // 60)
    repo.save_lock(state, at=now)
    raise KeepAndRefuse(Refused("prescriber-lock", message))


def _check_lockout(state: LockState, now: dt.datetime) -> None:
    if state.locked_until and now < state.locked_until:
        left = int((state.locked_until - now).total_seconds() // 60) + 1
        raise Refused("prescriber-lock", _("refused (prescriber lock): too many wrong PINs; changes are "
                                           "locked for {minutes} more minute(s), even with the right PIN.").format(
                                               minutes=left))


def require_pin(repo: Repository, pin: str | None, now: dt.datetime, why: str | None = None) -> None:
    """Pass when no lock is set or the PIN is right; a wrong or missing PIN is a refusal.

    `why` says what about the change needs the PIN, for the refusal of a missing one. Failures
    and the lockout count on the database's clock (`Repository.lock_now`): the real one, unless
    the database was made under a fixed clock."""
    state = repo.lock()
    if state.pin_hash is None:
        return
    now = repo.lock_now(now)
    _check_lockout(state, now)
    if not pin:
        if why:
            said = _("refused (prescriber lock): {why}; this change needs the prescriber's PIN.").format(why=why)
        else:
            said = _("refused (prescriber lock): this change needs the prescriber's PIN.")
        raise Refused("prescriber-lock", said, hint=_("give it with --pin PIN"))
    if not _PIN_RE.fullmatch(pin) or not pin_matches(pin, state.pin_hash):
        _refuse_failure(repo, state, now, _("refused (prescriber lock): the PIN is wrong."))
    if state.failures:
        state.failures = 0
        repo.save_lock(state, at=now)


def set_lock(db: Database, now: dt.datetime, pin: str, old_pin: str | None) -> None:
    """Set or change the PIN; changing it needs the old one (a wrong one counts as a failure)."""
    valid_pin(pin)
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        now = repo.lock_now(now)
        state = repo.lock()
        if state.pin_hash is not None:
            _check_lockout(state, now)
            if not old_pin:
                raise Refused("prescriber-lock", _("refused (prescriber lock): a PIN is already set; "
                                                   "the old PIN is needed to change it."),
                              hint=_("give it with --old-pin PIN"))
            if not _PIN_RE.fullmatch(old_pin) or not pin_matches(old_pin, state.pin_hash):
                _refuse_failure(repo, state, now, _("refused (prescriber lock): the old PIN is wrong."))
        repo.save_lock(LockState(hash_pin(pin), 0, None), at=now)
