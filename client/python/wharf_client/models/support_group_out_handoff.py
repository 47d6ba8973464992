from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SupportGroupOutHandoff")


@_attrs_define
class SupportGroupOutHandoff:
    """The opening's first customer message → handed from the bot to people.

    Attributes:
        count (int):
        median_secs (int | Unset):
        p90_secs (int | Unset):
    """

    count: int
    median_secs: int | Unset = UNSET
    p90_secs: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        median_secs = self.median_secs

        p90_secs = self.p90_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
            }
        )
        if median_secs is not UNSET:
            field_dict["median_secs"] = median_secs
        if p90_secs is not UNSET:
            field_dict["p90_secs"] = p90_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count")

        median_secs = d.pop("median_secs", UNSET)

        p90_secs = d.pop("p90_secs", UNSET)

        support_group_out_handoff = cls(
            count=count,
            median_secs=median_secs,
            p90_secs=p90_secs,
        )

        support_group_out_handoff.additional_properties = d
        return support_group_out_handoff

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
