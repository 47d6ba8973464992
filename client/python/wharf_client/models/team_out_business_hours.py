from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TeamOutBusinessHours")


@_attrs_define
class TeamOutBusinessHours:
    """Absent: always open.

    Attributes:
        time_zone (str): IANA time zone of the hours, e.g. `Europe/Berlin`.
        from_ (str): `HH:MM`, inclusive.
        to (str): `HH:MM`, exclusive; earlier than `from`: the hours span midnight
            and belong to the day they start.
        days (list[int] | Unset): ISO weekdays, 1 = Monday … 7 = Sunday; empty: every day.
    """

    time_zone: str
    from_: str
    to: str
    days: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        time_zone = self.time_zone

        from_ = self.from_

        to = self.to

        days: list[int] | Unset = UNSET
        if not isinstance(self.days, Unset):
            days = self.days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "time_zone": time_zone,
                "from": from_,
                "to": to,
            }
        )
        if days is not UNSET:
            field_dict["days"] = days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        time_zone = d.pop("time_zone")

        from_ = d.pop("from")

        to = d.pop("to")

        days = cast(list[int], d.pop("days", UNSET))

        team_out_business_hours = cls(
            time_zone=time_zone,
            from_=from_,
            to=to,
            days=days,
        )

        team_out_business_hours.additional_properties = d
        return team_out_business_hours

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
