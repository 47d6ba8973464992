from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_role import AgentRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentPatch")


@_attrs_define
class AgentPatch:
    """Changes to an agent; absent fields stay as they are.

    Attributes:
        name (str | Unset):
        role (AgentRole | Unset): What an agent may do.
        capacity (int | Unset):
        languages (list[str] | Unset): Replaces the agent's languages.
        teams (list[int] | Unset): Replaces the agent's team memberships.
        password (str | Unset): Write-only; a new password (at least 8 characters).
    """

    name: str | Unset = UNSET
    role: AgentRole | Unset = UNSET
    capacity: int | Unset = UNSET
    languages: list[str] | Unset = UNSET
    teams: list[int] | Unset = UNSET
    password: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        capacity = self.capacity

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        teams: list[int] | Unset = UNSET
        if not isinstance(self.teams, Unset):
            teams = self.teams

        password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if role is not UNSET:
            field_dict["role"] = role
        if capacity is not UNSET:
            field_dict["capacity"] = capacity
        if languages is not UNSET:
            field_dict["languages"] = languages
        if teams is not UNSET:
            field_dict["teams"] = teams
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _role = d.pop("role", UNSET)
        role: AgentRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = AgentRole(_role)

        capacity = d.pop("capacity", UNSET)

        languages = cast(list[str], d.pop("languages", UNSET))

        teams = cast(list[int], d.pop("teams", UNSET))

        password = d.pop("password", UNSET)

        agent_patch = cls(
            name=name,
            role=role,
            capacity=capacity,
            languages=languages,
            teams=teams,
            password=password,
        )

        agent_patch.additional_properties = d
        return agent_patch

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
