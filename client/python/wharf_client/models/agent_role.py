from enum import StrEnum


class AgentRole(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    SUPERVISOR = "supervisor"

    def __str__(self) -> str:
        return str(self.value)
