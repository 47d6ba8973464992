from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.assignment_strategy import AssignmentStrategy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.team_patch_business_hours import TeamPatchBusinessHours


T = TypeVar("T", bound="TeamPatch")


@_attrs_define
class TeamPatch:
    """Changes to a team; absent fields stay as they are.

    Attributes:
        name (str | Unset):
        strategy (AssignmentStrategy | Unset): How a team hands queued conversations to its members.
        members (list[int] | Unset): Replaces the members.
        business_hours (TeamPatchBusinessHours | Unset): Replaces the business hours.
        always_open (bool | Unset): `true` removes the business hours (always open); not with
            `business_hours`.
    """

    name: str | Unset = UNSET
    strategy: AssignmentStrategy | Unset = UNSET
    members: list[int] | Unset = UNSET
    business_hours: TeamPatchBusinessHours | Unset = UNSET
    always_open: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        strategy: str | Unset = UNSET
        if not isinstance(self.strategy, Unset):
            strategy = self.strategy.value

        members: list[int] | Unset = UNSET
        if not isinstance(self.members, Unset):
            members = self.members

        business_hours: dict[str, Any] | Unset = UNSET
        if not isinstance(self.business_hours, Unset):
            business_hours = self.business_hours.to_dict()

        always_open = self.always_open

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if members is not UNSET:
            field_dict["members"] = members
        if business_hours is not UNSET:
            field_dict["business_hours"] = business_hours
        if always_open is not UNSET:
            field_dict["always_open"] = always_open

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.team_patch_business_hours import TeamPatchBusinessHours

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _strategy = d.pop("strategy", UNSET)
        strategy: AssignmentStrategy | Unset
        if isinstance(_strategy, Unset):
            strategy = UNSET
        else:
            strategy = AssignmentStrategy(_strategy)

        members = cast(list[int], d.pop("members", UNSET))

        _business_hours = d.pop("business_hours", UNSET)
        business_hours: TeamPatchBusinessHours | Unset
        if isinstance(_business_hours, Unset):
            business_hours = UNSET
        else:
            business_hours = TeamPatchBusinessHours.from_dict(_business_hours)

        always_open = d.pop("always_open", UNSET)

        team_patch = cls(
            name=name,
            strategy=strategy,
            members=members,
            business_hours=business_hours,
            always_open=always_open,
        )

        team_patch.additional_properties = d
        return team_patch

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
