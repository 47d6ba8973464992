from enum import StrEnum


class Activity(StrEnum):
    LEFT = "left"
    TYPING = "typing"
    VIEWING = "viewing"

    def __str__(self) -> str:
        return str(self.value)
