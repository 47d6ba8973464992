from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LiveEventOut")


@_attrs_define
class LiveEventOut:
    """One live change.

    Attributes:
        kind (str): message, status, assignment, …; `viewing`, `typing` and `left` are
            another agent's activity in the conversation (ephemeral).
        conversation_id (int):
        message_id (int | Unset):
        agent_id (int | Unset): `viewing` / `typing` / `left`: the agent doing it.
        agent_name (str | Unset): That agent's display name.
    """

    kind: str
    conversation_id: int
    message_id: int | Unset = UNSET
    agent_id: int | Unset = UNSET
    agent_name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        conversation_id = self.conversation_id

        message_id = self.message_id

        agent_id = self.agent_id

        agent_name = self.agent_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "conversation_id": conversation_id,
            }
        )
        if message_id is not UNSET:
            field_dict["message_id"] = message_id
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = d.pop("kind")

        conversation_id = d.pop("conversation_id")

        message_id = d.pop("message_id", UNSET)

        agent_id = d.pop("agent_id", UNSET)

        agent_name = d.pop("agent_name", UNSET)

        live_event_out = cls(
            kind=kind,
            conversation_id=conversation_id,
            message_id=message_id,
            agent_id=agent_id,
            agent_name=agent_name,
        )

        live_event_out.additional_properties = d
        return live_event_out

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
