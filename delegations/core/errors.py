"""A refused business rule: a stable code and a French message giving the figures."""

from __future__ import annotations


class RegleMetierError(Exception):
    status_code = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class EtatIncompatibleError(RegleMetierError):
    """A business rule refused by the state of the data (a convention's status, a signed
    amendment…), not by the shape of the input: the API answers 409."""

    status_code = 409
