from enum import StrEnum


class AssignmentStrategy(StrEnum):
    LEAST_LOADED = "least_loaded"
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"

    def __str__(self) -> str:
        return str(self.value)
