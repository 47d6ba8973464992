from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.assignment_strategy import AssignmentStrategy
from ..types import UNSET, Unset

T = TypeVar("T", bound="TeamIn")


@_attrs_define
class TeamIn:
    """A new team.

    Attributes:
        name (str): Unique.
        strategy (AssignmentStrategy): How a team hands queued conversations to its members.
        members (list[int] | Unset): Ids of the member agents.
    """

    name: str
    strategy: AssignmentStrategy
    members: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        strategy = self.strategy.value

        members: list[int] | Unset = UNSET
        if not isinstance(self.members, Unset):
            members = self.members

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "strategy": strategy,
            }
        )
        if members is not UNSET:
            field_dict["members"] = members

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        strategy = AssignmentStrategy(d.pop("strategy"))

        members = cast(list[int], d.pop("members", UNSET))

        team_in = cls(
            name=name,
            strategy=strategy,
            members=members,
        )

        team_in.additional_properties = d
        return team_in

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
