"""Domain errors raised by services; the API layer maps them to HTTP (config/api.py)."""


class DomainError(Exception):
    """A request that is well-formed but not allowed by the domain rules (400)."""


class ConsentRequired(DomainError):
    """The patient has not consented to the scope the data belongs to (403)."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(f"The patient has not consented to the '{scope}' data scope.")


class IdempotencyConflict(DomainError):
    """The same client id was sent before with different content (409)."""

    def __init__(self, record_id: object) -> None:
        self.record_id = record_id
        super().__init__(f"A different record with id {record_id} already exists.")
