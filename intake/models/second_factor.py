"""Second factors: an authenticator app (TOTP) and one-time recovery codes.

They are django-otp devices, so `match_token`, `otp_login`, `user.is_verified()` and throttling
work as with django-otp's own plugins. Unlike those plugins, nothing here keeps a secret readable
in the database: the TOTP key is encrypted with the field keys (and so rotated by
`rotate_encryption_keys`), and a recovery code is kept only as a keyed hash.
"""

import hmac
import logging
import math
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlencode

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django_otp import devices_for_user, match_token
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from ..crypto import EncryptedCharField, keyed_hash
from .staff import end_sessions

log = logging.getLogger(__name__)

# What a Redis cache raises when it cannot be reached (config.cache).
CACHE_DOWN = (redis.RedisError, OSError)
KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1
RECOVERY_CODE_COUNT = 10
# 32 letters and digits without look-alikes (0/o, 1/l/i): ten of them are 50 random bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
# Fewer unused recovery codes than this and their owner is warned on every staff page: one more
# lost phone and they could not sign in without an administrator.
RECOVERY_CODES_LOW = 3
# The count behind that warning is cached per user and forgotten whenever a code is used or made,
# wherever that happens (another device, the admin); the lifetime only bounds a missed change.
RECOVERY_LEFT_CACHE_SECONDS = 15 * 60


def new_totp_key() -> str:
    """A fresh random TOTP key, hex-encoded."""
    return secrets.token_hex(KEY_BYTES)


def base32_key(hex_key: str) -> str:
    """The key as authenticator apps take it typed in (base32, no padding)."""
    return b32encode(unhexlify(hex_key)).decode().rstrip("=")


def provisioning_uri(user, hex_key: str) -> str:
    """The otpauth:// address an authenticator app scans from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    label = quote(f"{issuer}:{user.get_username()}")
    params = urlencode({"secret": base32_key(hex_key), "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def _totp(hex_key: str, *, step: int = 30, t0: int = 0, digits: int = 6, drift: int = 0) -> TOTP:
    totp = TOTP(unhexlify(hex_key), step, t0, digits, drift)
    totp.time = time.time()
    return totp


def _as_number(token: str) -> int | None:
    try:
        return int(token)
    except (TypeError, ValueError):
        return None


class SecondFactor(TimestampMixin, ThrottlingMixin, Device):
    """What both kinds share: django-otp's throttling (each wrong code doubles the wait before the
    next try: 1, 2, 4, 8… seconds) and the bookkeeping of an accepted code."""

    class Meta(Device.Meta):
        abstract = True

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        if self._accept(str(token)):
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False

    def _accept(self, token: str) -> bool:
        """Whether `token` is good, using it up if so (the caller saves the device)."""
        raise NotImplementedError


class AuthenticatorAppManager(DeviceManager):
    def get_queryset(self):
        # django-otp's middleware loads the session's device on every request: the key is
        # decrypted only when a code is checked, not on every page.
        return super().get_queryset().defer("key")


class AuthenticatorApp(SecondFactor):
    """An authenticator app on a staff member's phone. A row exists only once its owner proved,
    with a code, that the app holds the key: enrolment keeps the key in the session until then."""

    key = EncryptedCharField(
        max_length=80, default=new_totp_key, editable=False, help_text="Hex-encoded, encrypted at rest."
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last accepted code: a code is accepted once, never replayed.
    last_t = models.BigIntegerField(default=-1)

    objects = AuthenticatorAppManager()

    class Meta(SecondFactor.Meta):
        verbose_name = "authenticator app"

    @classmethod
    def enrol(cls, user, hex_key: str, token: str, *, name: str = "Authenticator app") -> "AuthenticatorApp | None":
        """Save the app holding `hex_key` if `token` is its current code; None if not."""
        totp, value = _totp(hex_key), _as_number(token)
        if value is None or not totp.verify(value, tolerance=1):
            return None
        return cls.objects.create(user=user, name=name, key=hex_key, last_t=totp.t(), confirmed=True)

    def _accept(self, token: str) -> bool:
        totp, value = self._totp(), _as_number(token)
        if value is None or not totp.verify(value, self.tolerance, self.last_t + 1):
            return False
        self.last_t, self.drift = totp.t(), totp.drift
        return True

    def already_used(self, token: str) -> bool:
        """Whether `token` is this app's code for a time step it has already signed in with (a
        double tap, a second tab): django-otp refuses it without saying why, and the phone's clock
        is not to blame."""
        totp, value = self._totp(), _as_number(token)
        return value is not None and totp.verify(value, self.tolerance) and totp.t() <= self.last_t

    def current_code(self) -> str:
        """The code the app shows now (for the demo command and tests, which play the phone)."""
        return f"{self._totp().token():0{self.digits}d}"

    def _totp(self) -> TOTP:
        return _totp(self.key, step=self.step, t0=self.t0, digits=self.digits, drift=self.drift)


def recovery_code_hash(code: str) -> str:
    """A keyed one-way hash of a recovery code, as typed or as printed (case, spaces and dashes
    do not matter). Prefixed so it can never equal another keyed hash (a phone's)."""
    normalised = "".join(code.lower().split()).replace("-", "")
    return keyed_hash(f"recovery-code:{normalised}")


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


class RecoveryCodes(SecondFactor):
    """A staff member's set of one-time recovery codes, for a lost phone. The codes themselves
    are shown once when made; only their keyed hashes are stored."""

    class Meta(SecondFactor.Meta):
        verbose_name = "recovery code set"

    @classmethod
    def replace_for(cls, user) -> list[str]:
        """Make a new set of codes for `user` (any older ones stop working) and return them:
        the only time they exist in readable form."""
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        with transaction.atomic():
            device, _ = cls.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
            device.codes.all().delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes
            )
            forget_recovery_codes_left(user.pk)  # bulk_create sends no signal
        return codes

    def _accept(self, token: str) -> bool:
        digest = recovery_code_hash(token)
        # Compared in constant time against each stored hash, then deleted by a conditional
        # DELETE: two sign-ins racing with one code cannot both succeed.
        match = next((c for c in self.codes.all() if hmac.compare_digest(c.code_hash, digest)), None)
        return match is not None and RecoveryCode.objects.filter(pk=match.pk).delete()[0] > 0


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)

    def __str__(self) -> str:
        return f"Recovery code #{self.pk}"


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


def _recovery_left_cache_key(user_pk: int) -> str:
    return f"recovery-codes-left:{user_pk}"


def cached_recovery_codes_left(user) -> int:
    """recovery_codes_left, read from the cache when it can be: the warning on every staff page
    costs a cache read, not a query, and is never staler than the last code used or made. With
    the cache down it is counted, so the page still shows."""
    key = _recovery_left_cache_key(user.pk)
    try:
        left = cache.get(key)
    except CACHE_DOWN as exc:
        log.warning("Could not read the recovery codes left from the cache: %s", type(exc).__name__)
        return recovery_codes_left(user)
    if left is None:
        left = recovery_codes_left(user)
        _quietly(cache.set, key, left, RECOVERY_LEFT_CACHE_SECONDS)
    return left


def forget_recovery_codes_left(user_pk: int) -> None:
    """Drop the cached count now and again once the change is committed: a page read in between
    would otherwise cache the count from before the change."""
    key = _recovery_left_cache_key(user_pk)
    _quietly(cache.delete, key)
    transaction.on_commit(lambda: _quietly(cache.delete, key))


def _quietly(cache_call, *args) -> None:
    # A cache outage must not fail a sign-in: the cached count then lives out its short lifetime.
    try:
        cache_call(*args)
    except CACHE_DOWN as exc:
        log.warning("Could not update the cached recovery codes left: %s", type(exc).__name__)


@receiver(post_delete, sender=RecoveryCode)
def _recovery_code_gone(sender, instance: RecoveryCode, **kwargs) -> None:
    # A code used at sign-in, a set replaced, a reset or an admin's delete all come through here.
    user_pk = RecoveryCodes.objects.filter(pk=instance.device_id).values_list("user_id", flat=True).first()
    if user_pk is not None:
        forget_recovery_codes_left(user_pk)


class CodeRefused(StrEnum):
    """Why a code typed at the second step opened nothing: each is told differently."""

    WAIT = "wait"  # too many wrong codes just before: this one was not even checked
    REUSED = "reused"  # the app's code, but for a time step already used to sign in
    WRONG_APP_CODE = "wrong app code"
    WRONG_RECOVERY_CODE = "wrong recovery code"


@dataclass(frozen=True)
class CodeCheck:
    """What became of a code typed at the second step: the device it opened, or why not."""

    device: SecondFactor | None = None
    refused: CodeRefused | None = None
    wait_seconds: int = 0


def check_second_factor(user, typed: str) -> CodeCheck:
    """Try `typed` on each of `user`'s second factors (django-otp's match_token, throttling and
    all) and, when none accepts it, find out why, so the person is told what to do next."""
    token = "".join(typed.split())
    # An app shows digits only; recovery codes have letters. Only the wait of the kind of device
    # meant counts (match_token tries every device, and each keeps its own count of failures),
    # and it is read before trying: a refused code starts a new wait of its own.
    meant = AuthenticatorApp if token.isdigit() else RecoveryCodes
    wait = max((_seconds_to_wait(d) for d in devices_for_user(user) if isinstance(d, meant)), default=0)
    device = match_token(user, token)
    if device is not None:
        return CodeCheck(device=device)
    if wait:
        return CodeCheck(refused=CodeRefused.WAIT, wait_seconds=wait)
    if meant is RecoveryCodes:
        return CodeCheck(refused=CodeRefused.WRONG_RECOVERY_CODE)
    if any(app.already_used(token) for app in AuthenticatorApp.objects.filter(user=user)):
        return CodeCheck(refused=CodeRefused.REUSED)
    return CodeCheck(refused=CodeRefused.WRONG_APP_CODE)


def _seconds_to_wait(device: SecondFactor) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed or "locked_until" not in details:
        return 0
    return max(math.ceil((details["locked_until"] - timezone.now()).total_seconds()), 1)


def reset_second_factor(user) -> int:
    """A lost phone and lost recovery codes: remove the account's authenticator apps and
    recovery codes and end its sessions. The next sign-in with the password enrols a new app
    (set a new password first, or whoever knows the old one could enrol theirs). Returns the
    number of devices removed."""
    with transaction.atomic():
        apps, code_sets = AuthenticatorApp.objects.filter(user=user), RecoveryCodes.objects.filter(user=user)
        removed = apps.count() + code_sets.count()
        apps.delete()
        code_sets.delete()  # and, by cascade, the hashed codes
        end_sessions(user)
    return removed
