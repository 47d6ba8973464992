from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReceivedMessage")


@_attrs_define
class ReceivedMessage:
    """The customer's message of `message.received`.

    Attributes:
        id (int): Wharf's message id.
        provider_message_id (str):
        type_ (str): text, image, audio, …
        timestamp (datetime.datetime): When the customer sent it (the provider's time).
        echo (bool): Sent from the business's own phone (a WasenderApi echo).
        text (str | Unset):
    """

    id: int
    provider_message_id: str
    type_: str
    timestamp: datetime.datetime
    echo: bool
    text: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        provider_message_id = self.provider_message_id

        type_ = self.type_

        timestamp = self.timestamp.isoformat()

        echo = self.echo

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "provider_message_id": provider_message_id,
                "type": type_,
                "timestamp": timestamp,
                "echo": echo,
            }
        )
        if text is not UNSET:
            field_dict["text"] = text

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        provider_message_id = d.pop("provider_message_id")

        type_ = d.pop("type")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        echo = d.pop("echo")

        text = d.pop("text", UNSET)

        received_message = cls(
            id=id,
            provider_message_id=provider_message_id,
            type_=type_,
            timestamp=timestamp,
            echo=echo,
            text=text,
        )

        received_message.additional_properties = d
        return received_message

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
