from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consumer_stats_out import ConsumerStatsOut
    from ..models.delivery_stats_out import DeliveryStatsOut
    from ..models.stats_out_ingest import StatsOutIngest
    from ..models.status_count_out import StatusCountOut
    from ..models.stream_stats_out import StreamStatsOut


T = TypeVar("T", bound="StatsOut")


@_attrs_define
class StatsOut:
    """The system at a glance.

    Attributes:
        streams (list[StreamStatsOut]):
        consumers (list[ConsumerStatsOut]):
        deliveries (DeliveryStatsOut): Outbound delivery outcomes.
        conversations (list[StatusCountOut]):
        ingest (StatsOutIngest | Unset): The edges' ingest counters; absent when this server knows no edge
            `/metrics` URL (`alerts.edge_metrics_urls`).
    """

    streams: list[StreamStatsOut]
    consumers: list[ConsumerStatsOut]
    deliveries: DeliveryStatsOut
    conversations: list[StatusCountOut]
    ingest: StatsOutIngest | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        streams = []
        for streams_item_data in self.streams:
            streams_item = streams_item_data.to_dict()
            streams.append(streams_item)

        consumers = []
        for consumers_item_data in self.consumers:
            consumers_item = consumers_item_data.to_dict()
            consumers.append(consumers_item)

        deliveries = self.deliveries.to_dict()

        conversations = []
        for conversations_item_data in self.conversations:
            conversations_item = conversations_item_data.to_dict()
            conversations.append(conversations_item)

        ingest: dict[str, Any] | Unset = UNSET
        if not isinstance(self.ingest, Unset):
            ingest = self.ingest.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "streams": streams,
                "consumers": consumers,
                "deliveries": deliveries,
                "conversations": conversations,
            }
        )
        if ingest is not UNSET:
            field_dict["ingest"] = ingest

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consumer_stats_out import ConsumerStatsOut
        from ..models.delivery_stats_out import DeliveryStatsOut
        from ..models.stats_out_ingest import StatsOutIngest
        from ..models.status_count_out import StatusCountOut
        from ..models.stream_stats_out import StreamStatsOut

        d = dict(src_dict)
        streams = []
        _streams = d.pop("streams")
        for streams_item_data in _streams:
            streams_item = StreamStatsOut.from_dict(streams_item_data)

            streams.append(streams_item)

        consumers = []
        _consumers = d.pop("consumers")
        for consumers_item_data in _consumers:
            consumers_item = ConsumerStatsOut.from_dict(consumers_item_data)

            consumers.append(consumers_item)

        deliveries = DeliveryStatsOut.from_dict(d.pop("deliveries"))

        conversations = []
        _conversations = d.pop("conversations")
        for conversations_item_data in _conversations:
            conversations_item = StatusCountOut.from_dict(conversations_item_data)

            conversations.append(conversations_item)

        _ingest = d.pop("ingest", UNSET)
        ingest: StatsOutIngest | Unset
        if isinstance(_ingest, Unset):
            ingest = UNSET
        else:
            ingest = StatsOutIngest.from_dict(_ingest)

        stats_out = cls(
            streams=streams,
            consumers=consumers,
            deliveries=deliveries,
            conversations=conversations,
            ingest=ingest,
        )

        stats_out.additional_properties = d
        return stats_out

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
