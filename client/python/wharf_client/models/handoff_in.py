from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HandoffIn")


@_attrs_define
class HandoffIn:
    """A bot handing a conversation to people.

    Attributes:
        reason (str): Why (kept in the audit log), e.g. `customer asked for a person`.
        team_id (int | Unset): The team whose queue takes it; by default the routing rules' bot
            handover team.
        priority (int | Unset): Its priority in that queue (default: the bot rule's).
    """

    reason: str
    team_id: int | Unset = UNSET
    priority: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        team_id = self.team_id

        priority = self.priority

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason = d.pop("reason")

        team_id = d.pop("team_id", UNSET)

        priority = d.pop("priority", UNSET)

        handoff_in = cls(
            reason=reason,
            team_id=team_id,
            priority=priority,
        )

        handoff_in.additional_properties = d
        return handoff_in

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
