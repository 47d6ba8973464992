from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.alert_out import AlertOut


T = TypeVar("T", bound="AlertsOut")


@_attrs_define
class AlertsOut:
    """Current and recent alerts.

    Attributes:
        firing (list[AlertOut]): Firing now, oldest first.
        pending (list[AlertOut]): Holding, not yet for long enough to fire.
        recent (list[AlertOut]): Resolved, newest first (at most `limit`).
    """

    firing: list[AlertOut]
    pending: list[AlertOut]
    recent: list[AlertOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        firing = []
        for firing_item_data in self.firing:
            firing_item = firing_item_data.to_dict()
            firing.append(firing_item)

        pending = []
        for pending_item_data in self.pending:
            pending_item = pending_item_data.to_dict()
            pending.append(pending_item)

        recent = []
        for recent_item_data in self.recent:
            recent_item = recent_item_data.to_dict()
            recent.append(recent_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "firing": firing,
                "pending": pending,
                "recent": recent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.alert_out import AlertOut

        d = dict(src_dict)
        firing = []
        _firing = d.pop("firing")
        for firing_item_data in _firing:
            firing_item = AlertOut.from_dict(firing_item_data)

            firing.append(firing_item)

        pending = []
        _pending = d.pop("pending")
        for pending_item_data in _pending:
            pending_item = AlertOut.from_dict(pending_item_data)

            pending.append(pending_item)

        recent = []
        _recent = d.pop("recent")
        for recent_item_data in _recent:
            recent_item = AlertOut.from_dict(recent_item_data)

            recent.append(recent_item)

        alerts_out = cls(
            firing=firing,
            pending=pending,
            recent=recent,
        )

        alerts_out.additional_properties = d
        return alerts_out

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
