"""Request bodies and uploads, capped before Django keeps them.

Django's own handlers keep an upload in memory up to 2.5 MB and then write it to a temporary
file, however large it grows: a card photo (PHI) on disk outside our encrypted store, and a
300 MB post spooled in full before the form refuses it. Here a body whose declared length is
over REQUEST_MAX_BODY_BYTES is refused before it is read, and an upload is kept in memory only,
up to UPLOAD_MAX_FILE_BYTES; past that the rest of it is skipped and the field name is noted,
so the form can say which photo was too large and keep everything else.
"""

import io
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

_OVERSIZED = "_lantern_oversized_uploads"


def oversized_uploads(request: HttpRequest) -> set[str]:
    """Names of the file fields whose upload was over UPLOAD_MAX_FILE_BYTES and was dropped.
    Known once request.FILES (or request.POST) has been read."""
    return getattr(request, _OVERSIZED, set())


def too_large_message() -> str:
    return gettext("This photo is larger than %(megabytes)s MB. Please send a smaller one.") % {
        "megabytes": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)
    }


def flag_oversized(form: forms.Form, request: HttpRequest) -> None:
    """Put "this photo is too large" next to each file field whose upload was dropped."""
    for name in sorted(oversized_uploads(request)):
        # Only fields the form has: a file posted under any other name is simply ignored.
        if name in form.fields:
            form.add_error(name, too_large_message())


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps each uploaded file in memory, and none over UPLOAD_MAX_FILE_BYTES."""

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.file = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > settings.UPLOAD_MAX_FILE_BYTES:
            oversized = getattr(self.request, _OVERSIZED, set())
            oversized.add(self.field_name)
            setattr(self.request, _OVERSIZED, oversized)
            # Django closes self.file (dropping what was kept) and reads past the rest unkept.
            raise SkipFile
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class RequestSizeLimitMiddleware:
    """Refuses a body declared larger than REQUEST_MAX_BODY_BYTES before anything reads it.

    A body without a Content-Length is read by Django as empty, so the declared length is the
    most that can ever be read.
    """

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_BYTES:
            context = {"max_photo_mb": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
