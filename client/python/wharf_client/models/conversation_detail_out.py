from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.conversation_out import ConversationOut
    from ..models.message_out import MessageOut
    from ..models.snooze_out import SnoozeOut


T = TypeVar("T", bound="ConversationDetailOut")


@_attrs_define
class ConversationDetailOut:
    """A conversation with its message timeline.

    Attributes:
        conversation (ConversationOut): A conversation between a business number and a contact.
        messages (list[MessageOut]): In provider time order.
        snoozes (list[SnoozeOut]): Its snoozes, oldest first (shown as system lines in the timeline).
    """

    conversation: ConversationOut
    messages: list[MessageOut]
    snoozes: list[SnoozeOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conversation = self.conversation.to_dict()

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        snoozes = []
        for snoozes_item_data in self.snoozes:
            snoozes_item = snoozes_item_data.to_dict()
            snoozes.append(snoozes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversation": conversation,
                "messages": messages,
                "snoozes": snoozes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.conversation_out import ConversationOut
        from ..models.message_out import MessageOut
        from ..models.snooze_out import SnoozeOut

        d = dict(src_dict)
        conversation = ConversationOut.from_dict(d.pop("conversation"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = MessageOut.from_dict(messages_item_data)

            messages.append(messages_item)

        snoozes = []
        _snoozes = d.pop("snoozes")
        for snoozes_item_data in _snoozes:
            snoozes_item = SnoozeOut.from_dict(snoozes_item_data)

            snoozes.append(snoozes_item)

        conversation_detail_out = cls(
            conversation=conversation,
            messages=messages,
            snoozes=snoozes,
        )

        conversation_detail_out.additional_properties = d
        return conversation_detail_out

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
