from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="HeartbeatOut")


@_attrs_define
class HeartbeatOut:
    """The agent's presence after a heartbeat, and how to keep beating.

    Attributes:
        agent_id (int):
        presence (str): online or away.
        heartbeat_secs (int): Send the next heartbeat within this many seconds.
        away_after_secs (int): Idle this long, the agent is away.
        offline_after_secs (int): Without a heartbeat this long, the agent is offline.
    """

    agent_id: int
    presence: str
    heartbeat_secs: int
    away_after_secs: int
    offline_after_secs: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        presence = self.presence

        heartbeat_secs = self.heartbeat_secs

        away_after_secs = self.away_after_secs

        offline_after_secs = self.offline_after_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "presence": presence,
                "heartbeat_secs": heartbeat_secs,
                "away_after_secs": away_after_secs,
                "offline_after_secs": offline_after_secs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        presence = d.pop("presence")

        heartbeat_secs = d.pop("heartbeat_secs")

        away_after_secs = d.pop("away_after_secs")

        offline_after_secs = d.pop("offline_after_secs")

        heartbeat_out = cls(
            agent_id=agent_id,
            presence=presence,
            heartbeat_secs=heartbeat_secs,
            away_after_secs=away_after_secs,
            offline_after_secs=offline_after_secs,
        )

        heartbeat_out.additional_properties = d
        return heartbeat_out

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
