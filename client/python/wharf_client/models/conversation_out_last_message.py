from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConversationOutLastMessage")


@_attrs_define
class ConversationOutLastMessage:
    """The newest message, for the list's preview.

    Attributes:
        id (int):
        direction (str): inbound or outbound.
        kind (str): text, image, template, … (what to show when there is no text).
        at (datetime.datetime): The provider's time of the message.
        text (str | Unset): The text of a text message, its first 120 characters.
    """

    id: int
    direction: str
    kind: str
    at: datetime.datetime
    text: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        direction = self.direction

        kind = self.kind

        at = self.at.isoformat()

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "direction": direction,
                "kind": kind,
                "at": at,
            }
        )
        if text is not UNSET:
            field_dict["text"] = text

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        direction = d.pop("direction")

        kind = d.pop("kind")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        text = d.pop("text", UNSET)

        conversation_out_last_message = cls(
            id=id,
            direction=direction,
            kind=kind,
            at=at,
            text=text,
        )

        conversation_out_last_message.additional_properties = d
        return conversation_out_last_message

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
