from enum import StrEnum


class Clock(StrEnum):
    BUSINESS = "business"
    WALL = "wall"

    def __str__(self) -> str:
        return str(self.value)
