from enum import StrEnum


class RuleActionType(StrEnum):
    BOT = "bot"
    TEAM = "team"

    def __str__(self) -> str:
        return str(self.value)
