from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageStatus")


@_attrs_define
class MessageStatus:
    """`data` of `message.sent` and `message.status`: one of our replies.

    Attributes:
        message_id (int): Wharf's message id of the reply.
        conversation_id (int):
        status (str): sent, delivered, read, failed.
        timestamp (datetime.datetime):
        error (str | Unset): Why it failed.
        provider_message_id (str | Unset): The provider's id of the reply.
    """

    message_id: int
    conversation_id: int
    status: str
    timestamp: datetime.datetime
    error: str | Unset = UNSET
    provider_message_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        conversation_id = self.conversation_id

        status = self.status

        timestamp = self.timestamp.isoformat()

        error = self.error

        provider_message_id = self.provider_message_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message_id": message_id,
                "conversation_id": conversation_id,
                "status": status,
                "timestamp": timestamp,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if provider_message_id is not UNSET:
            field_dict["provider_message_id"] = provider_message_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        message_id = d.pop("message_id")

        conversation_id = d.pop("conversation_id")

        status = d.pop("status")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        error = d.pop("error", UNSET)

        provider_message_id = d.pop("provider_message_id", UNSET)

        message_status = cls(
            message_id=message_id,
            conversation_id=conversation_id,
            status=status,
            timestamp=timestamp,
            error=error,
            provider_message_id=provider_message_id,
        )

        message_status.additional_properties = d
        return message_status

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
