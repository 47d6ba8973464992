from enum import StrEnum


class Provider(StrEnum):
    META = "meta"
    SANDBOX = "sandbox"
    WASENDER = "wasender"

    def __str__(self) -> str:
        return str(self.value)
