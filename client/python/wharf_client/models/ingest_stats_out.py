from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IngestStatsOut")


@_attrs_define
class IngestStatsOut:
    """The edges' cumulative counters since each edge started, summed over the
    edges that answered. Rates come from the difference of two readings.

        Attributes:
            edges (int): Edges whose `/metrics` were read.
            edges_unreachable (int): Edges whose `/metrics` could not be read this time.
            webhooks_accepted (int): Webhook deliveries answered 200.
            webhooks_rejected (int): Webhook deliveries refused (bad signature, overloaded, …).
            events_stored (int): Events stored in the edge streams (a delivery may hold several).
            ack_seconds_sum (float): Sum of the seconds from a delivery's arrival to its last PubAck.
            ack_seconds_count (int): Deliveries counted in `ack_seconds_sum`.
    """

    edges: int
    edges_unreachable: int
    webhooks_accepted: int
    webhooks_rejected: int
    events_stored: int
    ack_seconds_sum: float
    ack_seconds_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        edges = self.edges

        edges_unreachable = self.edges_unreachable

        webhooks_accepted = self.webhooks_accepted

        webhooks_rejected = self.webhooks_rejected

        events_stored = self.events_stored

        ack_seconds_sum = self.ack_seconds_sum

        ack_seconds_count = self.ack_seconds_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "edges": edges,
                "edges_unreachable": edges_unreachable,
                "webhooks_accepted": webhooks_accepted,
                "webhooks_rejected": webhooks_rejected,
                "events_stored": events_stored,
                "ack_seconds_sum": ack_seconds_sum,
                "ack_seconds_count": ack_seconds_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        edges = d.pop("edges")

        edges_unreachable = d.pop("edges_unreachable")

        webhooks_accepted = d.pop("webhooks_accepted")

        webhooks_rejected = d.pop("webhooks_rejected")

        events_stored = d.pop("events_stored")

        ack_seconds_sum = d.pop("ack_seconds_sum")

        ack_seconds_count = d.pop("ack_seconds_count")

        ingest_stats_out = cls(
            edges=edges,
            edges_unreachable=edges_unreachable,
            webhooks_accepted=webhooks_accepted,
            webhooks_rejected=webhooks_rejected,
            events_stored=events_stored,
            ack_seconds_sum=ack_seconds_sum,
            ack_seconds_count=ack_seconds_count,
        )

        ingest_stats_out.additional_properties = d
        return ingest_stats_out

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
