from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.conversation_data import ConversationData
    from ..models.received_contact import ReceivedContact
    from ..models.received_message import ReceivedMessage


T = TypeVar("T", bound="MessageReceived")


@_attrs_define
class MessageReceived:
    """`data` of `message.received`.

    Attributes:
        message (ReceivedMessage): The customer's message of `message.received`.
        conversation (ConversationData): A conversation as events show it.
        contact (ReceivedContact): The customer of `message.received`, as the provider named them.
    """

    message: ReceivedMessage
    conversation: ConversationData
    contact: ReceivedContact
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message.to_dict()

        conversation = self.conversation.to_dict()

        contact = self.contact.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "conversation": conversation,
                "contact": contact,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.conversation_data import ConversationData
        from ..models.received_contact import ReceivedContact
        from ..models.received_message import ReceivedMessage

        d = dict(src_dict)
        message = ReceivedMessage.from_dict(d.pop("message"))

        conversation = ConversationData.from_dict(d.pop("conversation"))

        contact = ReceivedContact.from_dict(d.pop("contact"))

        message_received = cls(
            message=message,
            conversation=conversation,
            contact=contact,
        )

        message_received.additional_properties = d
        return message_received

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
