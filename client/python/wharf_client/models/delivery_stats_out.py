from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.status_count_out import StatusCountOut


T = TypeVar("T", bound="DeliveryStatsOut")


@_attrs_define
class DeliveryStatsOut:
    """Outbound delivery outcomes.

    Attributes:
        by_status (list[StatusCountOut]):
        success_rate (float | Unset): (sent + delivered + read) / (those + failed); absent before any outcome.
    """

    by_status: list[StatusCountOut]
    success_rate: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        by_status = []
        for by_status_item_data in self.by_status:
            by_status_item = by_status_item_data.to_dict()
            by_status.append(by_status_item)

        success_rate = self.success_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "by_status": by_status,
            }
        )
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.status_count_out import StatusCountOut

        d = dict(src_dict)
        by_status = []
        _by_status = d.pop("by_status")
        for by_status_item_data in _by_status:
            by_status_item = StatusCountOut.from_dict(by_status_item_data)

            by_status.append(by_status_item)

        success_rate = d.pop("success_rate", UNSET)

        delivery_stats_out = cls(
            by_status=by_status,
            success_rate=success_rate,
        )

        delivery_stats_out.additional_properties = d
        return delivery_stats_out

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
