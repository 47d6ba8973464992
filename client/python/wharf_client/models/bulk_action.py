from enum import StrEnum


class BulkAction(StrEnum):
    ASSIGN = "assign"
    LABEL_ADD = "label_add"
    LABEL_REMOVE = "label_remove"
    RESOLVE = "resolve"

    def __str__(self) -> str:
        return str(self.value)
