from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.team_out_business_hours import TeamOutBusinessHours


T = TypeVar("T", bound="TeamOut")


@_attrs_define
class TeamOut:
    """A team.

    Attributes:
        id (int):
        name (str):
        strategy (str): round_robin, least_loaded or manual.
        members (list[int]): Ids of the member agents, ascending.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        business_hours (TeamOutBusinessHours | Unset): Absent: always open.
    """

    id: int
    name: str
    strategy: str
    members: list[int]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    business_hours: TeamOutBusinessHours | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        strategy = self.strategy

        members = self.members

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        business_hours: dict[str, Any] | Unset = UNSET
        if not isinstance(self.business_hours, Unset):
            business_hours = self.business_hours.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "strategy": strategy,
                "members": members,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if business_hours is not UNSET:
            field_dict["business_hours"] = business_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.team_out_business_hours import TeamOutBusinessHours

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        strategy = d.pop("strategy")

        members = cast(list[int], d.pop("members"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _business_hours = d.pop("business_hours", UNSET)
        business_hours: TeamOutBusinessHours | Unset
        if isinstance(_business_hours, Unset):
            business_hours = UNSET
        else:
            business_hours = TeamOutBusinessHours.from_dict(_business_hours)

        team_out = cls(
            id=id,
            name=name,
            strategy=strategy,
            members=members,
            created_at=created_at,
            updated_at=updated_at,
            business_hours=business_hours,
        )

        team_out.additional_properties = d
        return team_out

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
