"""Re-encrypt every encrypted column and every card photo under the first FIELD_ENCRYPTION_KEYS key.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command until it reports nothing left to rotate, then drop the old keys.

Columns are found by type (every concrete field that is an `intake.crypto.EncryptedMixin`, in any
installed app) and rewritten with raw SQL, token to token: no model is loaded or saved, so no
save signal fires and the audit log never sees a value. Each write is conditional on the column
still holding the token that was read, so a row the application changed meanwhile is left as
the application wrote it. Tokens the first key already opens are left alone, which makes a
second run a no-op. Encrypted files (card photos) are those each lead part names
(intake.extensions), and are replaced atomically (temporary file, then os.replace).
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, models, router, transaction

from intake.crypto import EncryptedMixin, rotate
from intake.extensions import LeadPart, lead_parts


@dataclass
class Tally:
    label: str
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    unreadable: list[str] = field(default_factory=list)


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[models.Field]]]:
    """Every model with encrypted columns in its own table, and those columns."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        # local_*: a child model's inherited fields live in (and are rotated with) the parent table.
        fields = [f for f in meta.local_concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt all encrypted columns and files (card photos) under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; write nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, dry_run: bool = False, batch_size: int = 500, **options) -> None:
        keys = list(settings.FIELD_ENCRYPTION_KEYS)
        if not keys:
            raise CommandError("FIELD_ENCRYPTION_KEYS is empty.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.primary = Fernet(keys[0].encode())
        self.dry_run = dry_run

        tallies: list[Tally] = []
        for model, fields in encrypted_columns():
            tallies += self.rotate_model(model, fields, batch_size)
        tallies += [self.rotate_files(part) for part in lead_parts()]

        verb = "would rotate" if dry_run else "rotated"
        for t in tallies:
            line = f"{t.label}: {t.rotated} {verb}, {t.current} already current"
            if t.changed_meanwhile:
                line += f", {t.changed_meanwhile} changed or removed meanwhile (left as they are)"
            if t.unreadable:
                line += f", {len(t.unreadable)} unreadable"
            self.stdout.write(line)
        total = sum(t.rotated for t in tallies)
        self.stdout.write(f"Total: {total} {verb}" + (" (dry run, nothing written)." if dry_run else "."))

        unreadable = [(t.label, t.unreadable) for t in tallies if t.unreadable]
        if unreadable:
            detail = "; ".join(f"{label} ids {', '.join(ids[:10])}" for label, ids in unreadable)
            raise CommandError(f"Some values could be read with none of FIELD_ENCRYPTION_KEYS: {detail}")

    def is_current(self, token: bytes) -> bool:
        try:
            self.primary.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate_model(self, model: type[models.Model], fields: list[models.Field], batch_size: int) -> list[Tally]:
        alias = router.db_for_write(model)
        connection = connections[alias]
        qn = connection.ops.quote_name
        meta = model._meta
        table, pk = qn(meta.db_table), qn(meta.pk.column)
        columns = ", ".join(qn(f.column) for f in fields)
        select = f"SELECT {pk}, {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
        select_first = f"SELECT {pk}, {columns} FROM {table} ORDER BY {pk} LIMIT %s"  # noqa: S608
        updates = {
            f.name: f"UPDATE {table} SET {qn(f.column)} = %s WHERE {pk} = %s AND {qn(f.column)} = %s"  # noqa: S608
            for f in fields
        }
        tallies = {f.name: Tally(f"{meta.label}.{f.name}") for f in fields}

        last = None
        while True:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(select_first, [batch_size])
                else:
                    cursor.execute(select, [last, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                for i, f in enumerate(fields, start=1):
                    tally, writes = tallies[f.name], []
                    for row in rows:
                        token = row[i]
                        if token is None or token == "":
                            continue
                        if self.is_current(token.encode()):
                            tally.current += 1
                            continue
                        try:
                            writes.append((rotate(token), row[0], token))
                        except InvalidToken:
                            tally.unreadable.append(str(row[0]))
                    if not writes:
                        continue
                    if self.dry_run:
                        tally.rotated += len(writes)
                        continue
                    for write in writes:
                        cursor.execute(updates[f.name], write)
                        if cursor.rowcount:
                            tally.rotated += 1
                        else:
                            tally.changed_meanwhile += 1
            if len(rows) < batch_size:
                break
        return list(tallies.values())

    def rotate_files(self, part: LeadPart) -> Tally:
        tally = Tally(part.files_noun)
        for path in part.encrypted_files():
            # Dot files are our own temporary files (or not ours); symlinks are never followed.
            if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            if self.is_current(data):
                tally.current += 1
                continue
            try:
                rotated = rotate(data.decode("ascii")).encode("ascii")
            except (InvalidToken, UnicodeDecodeError):
                tally.unreadable.append(path.name)
                continue
            if self.dry_run:
                tally.rotated += 1
                continue
            if self.replace(path, rotated):
                tally.rotated += 1
            else:
                tally.changed_meanwhile += 1
        return tally

    def replace(self, path: Path, data: bytes) -> bool:
        """Write `data` over `path` atomically; False if the file went away meanwhile (retention
        deleted it), so a deleted photo is not brought back."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rotate-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if not path.exists():
                return False
            os.replace(tmp, path)
            tmp = None
        finally:
            if tmp is not None:
                os.unlink(tmp)
        return True
