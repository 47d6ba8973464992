from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.assignment_strategy import AssignmentStrategy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.team_in_business_hours import TeamInBusinessHours


T = TypeVar("T", bound="TeamIn")


@_attrs_define
class TeamIn:
    """A new team.

    Attributes:
        name (str): Unique.
        strategy (AssignmentStrategy): How a team hands queued conversations to its members.
        members (list[int] | Unset): Ids of the member agents.
        business_hours (TeamInBusinessHours | Unset): Business hours (`to` other than `from`): business-time report
            figures and SLA policies on the business clock count only them.
            Absent: always open.
    """

    name: str
    strategy: AssignmentStrategy
    members: list[int] | Unset = UNSET
    business_hours: TeamInBusinessHours | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        strategy = self.strategy.value

        members: list[int] | Unset = UNSET
        if not isinstance(self.members, Unset):
            members = self.members

        business_hours: dict[str, Any] | Unset = UNSET
        if not isinstance(self.business_hours, Unset):
            business_hours = self.business_hours.to_dict()

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
        if business_hours is not UNSET:
            field_dict["business_hours"] = business_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.team_in_business_hours import TeamInBusinessHours

        d = dict(src_dict)
        name = d.pop("name")

        strategy = AssignmentStrategy(d.pop("strategy"))

        members = cast(list[int], d.pop("members", UNSET))

        _business_hours = d.pop("business_hours", UNSET)
        business_hours: TeamInBusinessHours | Unset
        if isinstance(_business_hours, Unset):
            business_hours = UNSET
        else:
            business_hours = TeamInBusinessHours.from_dict(_business_hours)

        team_in = cls(
            name=name,
            strategy=strategy,
            members=members,
            business_hours=business_hours,
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
