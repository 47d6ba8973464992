from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_role import AgentRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentIn")


@_attrs_define
class AgentIn:
    """A new agent.

    Attributes:
        email (str): Login email (stored lower-case); unique.
        name (str):
        password (str): Write-only; at least 8 characters. Stored as an argon2id hash.
        role (AgentRole): What an agent may do.
        capacity (int | Unset): Conversations the agent works at once (default 5). Default: 5.
        languages (list[str] | Unset): Language codes the agent speaks, e.g. `["en", "pt"]`; none means any.
        teams (list[int] | Unset): Ids of the teams the agent belongs to.
    """

    email: str
    name: str
    password: str
    role: AgentRole
    capacity: int | Unset = 5
    languages: list[str] | Unset = UNSET
    teams: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        password = self.password

        role = self.role.value

        capacity = self.capacity

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        teams: list[int] | Unset = UNSET
        if not isinstance(self.teams, Unset):
            teams = self.teams

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "password": password,
                "role": role,
            }
        )
        if capacity is not UNSET:
            field_dict["capacity"] = capacity
        if languages is not UNSET:
            field_dict["languages"] = languages
        if teams is not UNSET:
            field_dict["teams"] = teams

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        password = d.pop("password")

        role = AgentRole(d.pop("role"))

        capacity = d.pop("capacity", UNSET)

        languages = cast(list[str], d.pop("languages", UNSET))

        teams = cast(list[int], d.pop("teams", UNSET))

        agent_in = cls(
            email=email,
            name=name,
            password=password,
            role=role,
            capacity=capacity,
            languages=languages,
            teams=teams,
        )

        agent_in.additional_properties = d
        return agent_in

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
