"""An export's file as a streamed HTTP response, from whichever storage holds it.

The dashboard's download and the API's ``?token=`` link both answer through here. The bytes
always pass through the app (never a redirect to a bucket URL), so the objects stay private
and the permission and token checks of the views are the only way in.
"""

from typing import IO, Any

from django.http import FileResponse

from .models import Export

MISSING_FILE = "The file of export {export_id} is no longer in storage. Export the orders again."


class ExportFileMissing(Exception):
    """The export is DONE but its file is no longer in the storage (deleted outside the app,
    or a bucket emptied): the views answer 404 with a message saying to export again."""


def _missing(error: Exception) -> bool:
    """Whether ``error`` is a storage's way of saying the file is not there."""
    if isinstance(error, FileNotFoundError):
        return True
    response = getattr(error, "response", None)  # botocore's ClientError
    code = str((response or {}).get("Error", {}).get("Code", "")) if response else ""
    return code in ("NoSuchKey", "404", "NotFound")


def _is_s3_file(opened: object) -> bool:
    try:  # django-storages is the optional ``s3`` extra
        from storages.backends.s3 import S3File
    except ImportError:
        return False
    return isinstance(opened, S3File)


def open_export_file(export: Export) -> tuple[IO[bytes], int | None]:
    """The export's file opened for reading in chunks, and its size when the storage knows it
    without reading it (``None``: the response finds it from the file itself).

    On S3 the object's body streams straight from the bucket: django-storages' own file
    would copy the whole object into memory (``AWS_S3_MAX_MEMORY_SIZE`` is 0 by default) before
    the first byte, and a million-row export is hundreds of megabytes.
    """
    if not export.file.name:
        raise ExportFileMissing(export.pk)
    try:
        opened: Any = export.file.storage.open(export.file.name, "rb")
        if _is_s3_file(opened):
            answer = opened.obj.get()  # opening made only a HEAD request
            return answer["Body"], answer["ContentLength"]
    except Exception as error:
        if _missing(error):
            raise ExportFileMissing(export.pk) from error
        raise
    return opened, None


def export_file_response(export: Export, *, as_attachment: bool, content_type: str) -> FileResponse:
    """The export's CSV, streamed, as ``orders-<id>.csv``; ``ExportFileMissing`` when the
    storage no longer has it."""
    stream, size = open_export_file(export)
    response = FileResponse(
        stream,
        as_attachment=as_attachment,
        filename=f"orders-{export.pk}.csv",
        content_type=content_type,
    )
    if size is not None:
        response["Content-Length"] = str(size)
    return response
