from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConsumerStatsOut")


@_attrs_define
class ConsumerStatsOut:
    """One durable consumer (a router partition, the sender, …).

    Attributes:
        stream (str):
        name (str):
        pending (int): Messages not yet delivered.
        ack_pending (int): Delivered, not yet acked.
        redelivered (int): Deliveries beyond the first.
    """

    stream: str
    name: str
    pending: int
    ack_pending: int
    redelivered: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stream = self.stream

        name = self.name

        pending = self.pending

        ack_pending = self.ack_pending

        redelivered = self.redelivered

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stream": stream,
                "name": name,
                "pending": pending,
                "ack_pending": ack_pending,
                "redelivered": redelivered,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stream = d.pop("stream")

        name = d.pop("name")

        pending = d.pop("pending")

        ack_pending = d.pop("ack_pending")

        redelivered = d.pop("redelivered")

        consumer_stats_out = cls(
            stream=stream,
            name=name,
            pending=pending,
            ack_pending=ack_pending,
            redelivered=redelivered,
        )

        consumer_stats_out.additional_properties = d
        return consumer_stats_out

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
