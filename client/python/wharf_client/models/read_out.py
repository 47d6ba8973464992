from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReadOut")


@_attrs_define
class ReadOut:
    """The caller's read marker on a conversation.

    Attributes:
        conversation_id (int):
        last_read_message_id (int): The newest message the caller has seen (0: none).
        read_at (datetime.datetime):
    """

    conversation_id: int
    last_read_message_id: int
    read_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conversation_id = self.conversation_id

        last_read_message_id = self.last_read_message_id

        read_at = self.read_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversation_id": conversation_id,
                "last_read_message_id": last_read_message_id,
                "read_at": read_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        conversation_id = d.pop("conversation_id")

        last_read_message_id = d.pop("last_read_message_id")

        read_at = datetime.datetime.fromisoformat(d.pop("read_at"))

        read_out = cls(
            conversation_id=conversation_id,
            last_read_message_id=last_read_message_id,
            read_at=read_at,
        )

        read_out.additional_properties = d
        return read_out

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
