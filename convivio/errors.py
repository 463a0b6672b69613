"""The one exception a refused action raises, in both apps.

It carries a sentence for the person: views turn it into a message or a 4xx,
the admin into an error message, commands into stderr.
"""


class RuleViolation(Exception):
    """An action the method does not allow. `str(error)` is for a person to read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleVersion(RuleViolation):
    """Someone else changed the record since the person loaded it."""


class PermissionRefused(RuleViolation):
    """The person may not make this change: it is someone else's to make.

    The sentence names who may ("Only Alice Owner, the card's owner, its
    colleagues or a manager can move “Harbour”."). Views answer 403.
    """
