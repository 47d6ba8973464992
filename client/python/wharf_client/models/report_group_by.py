from enum import StrEnum


class ReportGroupBy(StrEnum):
    AGENT = "agent"
    DAY = "day"
    LABEL = "label"
    NUMBER = "number"
    TEAM = "team"
    WEEK = "week"

    def __str__(self) -> str:
        return str(self.value)
