from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AgentOut")


@_attrs_define
class AgentOut:
    """An agent; the password hash is never returned.

    Attributes:
        id (int):
        email (str):
        name (str):
        role (str): admin, supervisor or agent.
        presence (str): online, away or offline.
        capacity (int):
        languages (list[str]):
        teams (list[int]): Ids of the agent's teams, ascending.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    email: str
    name: str
    role: str
    presence: str
    capacity: int
    languages: list[str]
    teams: list[int]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        name = self.name

        role = self.role

        presence = self.presence

        capacity = self.capacity

        languages = self.languages

        teams = self.teams

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "name": name,
                "role": role,
                "presence": presence,
                "capacity": capacity,
                "languages": languages,
                "teams": teams,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        name = d.pop("name")

        role = d.pop("role")

        presence = d.pop("presence")

        capacity = d.pop("capacity")

        languages = cast(list[str], d.pop("languages"))

        teams = cast(list[int], d.pop("teams"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        agent_out = cls(
            id=id,
            email=email,
            name=name,
            role=role,
            presence=presence,
            capacity=capacity,
            languages=languages,
            teams=teams,
            created_at=created_at,
            updated_at=updated_at,
        )

        agent_out.additional_properties = d
        return agent_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
