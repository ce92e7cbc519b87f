"""Errors raised by the reader. Messages are in French: they are shown to users."""

from __future__ import annotations


class ExtractionError(Exception):
    """Base class: the document cannot be read. ``str(exc)`` is a French message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFormatError(ExtractionError):
    pass


class FileTooLargeError(ExtractionError):
    pass


class CorruptFileError(ExtractionError):
    pass


class EncryptedFileError(ExtractionError):
    pass


class EmptyDocumentError(ExtractionError):
    pass


class ZipBombError(ExtractionError):
    pass


class TesseractMissingError(ExtractionError):
    pass
