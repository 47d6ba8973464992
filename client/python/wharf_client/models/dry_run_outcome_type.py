from enum import StrEnum


class DryRunOutcomeType(StrEnum):
    BOT = "bot"
    QUEUE = "queue"

    def __str__(self) -> str:
        return str(self.value)
