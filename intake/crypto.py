"""Field-level encryption of PHI, and keyed hashes for looking it up.

Built on `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256, authenticated). Keys come
from settings.FIELD_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a key is
rotated by putting the new one first and re-encrypting (`manage.py rotate_encryption_keys`).
A value that no key can decrypt raises instead of being shown as ciphertext.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    return fernet().rotate(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal inputs match, the input can't be recovered."""
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedMixin:
    """Store the field's string form as a Fernet token in a text column.

    Empty values stay empty so optional fields cost nothing; everything else is encrypted
    before it reaches the database and decrypted when it is loaded. Lookups on these
    columns cannot match (the tokens are randomised): use a keyed-hash column instead.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "":
            return value
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.to_python(decrypt(value))


class EncryptedCharField(EncryptedMixin, models.CharField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass


class EncryptedDateField(EncryptedMixin, models.DateField):
    pass
