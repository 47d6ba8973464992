from enum import StrEnum


class ConversationSort(StrEnum):
    NEWEST = "newest"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
