from enum import StrEnum


class ConversationSort(StrEnum):
    DUE = "due"
    NEWEST = "newest"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
