from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.alert_event import AlertEvent


T = TypeVar("T", bound="WebhookEventAlertEvent")


@_attrs_define
class WebhookEventAlertEvent:
    """One event as it is POSTed: the same envelope for every type, `data`
    typed per type.

        Attributes:
            id (str): `evt_<n>`, also the `webhook-id` header: stable across retries,
                resends and recoveries. Deduplicate on it.
            type_ (str): The event type (`message.received`, …; see `/webhooks/event-types`).
            version (int): The payloads' version (1); a change that is not an addition gets a
                new one.
            created_at (datetime.datetime): When the change that caused it was committed.
            data (AlertEvent): `data` of `alert.firing` and `alert.resolved`.
    """

    id: str
    type_: str
    version: int
    created_at: datetime.datetime
    data: AlertEvent
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        version = self.version

        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "version": version,
                "created_at": created_at,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.alert_event import AlertEvent

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        data = AlertEvent.from_dict(d.pop("data"))

        webhook_event_alert_event = cls(
            id=id,
            type_=type_,
            version=version,
            created_at=created_at,
            data=data,
        )

        webhook_event_alert_event.additional_properties = d
        return webhook_event_alert_event

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
