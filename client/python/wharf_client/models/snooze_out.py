from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SnoozeOut")


@_attrs_define
class SnoozeOut:
    """A snooze of a conversation, and how it ended.

    Attributes:
        id (int):
        snoozed_at (datetime.datetime):
        until (datetime.datetime):
        agent_id (int | Unset): The agent who snoozed it (absent for an integrator token).
        agent_name (str | Unset): That agent's display name.
        ended_at (datetime.datetime | Unset): When it ended; absent while it sleeps.
        end_reason (str | Unset): customer (wrote), time (passed), agent (woke or claimed it),
            replaced (snoozed again) or resolved.
    """

    id: int
    snoozed_at: datetime.datetime
    until: datetime.datetime
    agent_id: int | Unset = UNSET
    agent_name: str | Unset = UNSET
    ended_at: datetime.datetime | Unset = UNSET
    end_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        snoozed_at = self.snoozed_at.isoformat()

        until = self.until.isoformat()

        agent_id = self.agent_id

        agent_name = self.agent_name

        ended_at: str | Unset = UNSET
        if not isinstance(self.ended_at, Unset):
            ended_at = self.ended_at.isoformat()

        end_reason = self.end_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "snoozed_at": snoozed_at,
                "until": until,
            }
        )
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at
        if end_reason is not UNSET:
            field_dict["end_reason"] = end_reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        snoozed_at = datetime.datetime.fromisoformat(d.pop("snoozed_at"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        agent_id = d.pop("agent_id", UNSET)

        agent_name = d.pop("agent_name", UNSET)

        _ended_at = d.pop("ended_at", UNSET)
        ended_at: datetime.datetime | Unset
        if isinstance(_ended_at, Unset):
            ended_at = UNSET
        else:
            ended_at = datetime.datetime.fromisoformat(_ended_at)

        end_reason = d.pop("end_reason", UNSET)

        snooze_out = cls(
            id=id,
            snoozed_at=snoozed_at,
            until=until,
            agent_id=agent_id,
            agent_name=agent_name,
            ended_at=ended_at,
            end_reason=end_reason,
        )

        snooze_out.additional_properties = d
        return snooze_out

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
