from enum import StrEnum


class AlertState(StrEnum):
    FIRING = "firing"
    PENDING = "pending"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return str(self.value)
