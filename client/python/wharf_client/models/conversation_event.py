from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.conversation_data import ConversationData


T = TypeVar("T", bound="ConversationEvent")


@_attrs_define
class ConversationEvent:
    """`data` of `conversation.created`, `.assigned`, `.transferred`,
    `.handed_over`, `.resolved` and `.reopened`.

        Attributes:
            conversation (ConversationData): A conversation as events show it.
    """

    conversation: ConversationData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conversation = self.conversation.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversation": conversation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.conversation_data import ConversationData

        d = dict(src_dict)
        conversation = ConversationData.from_dict(d.pop("conversation"))

        conversation_event = cls(
            conversation=conversation,
        )

        conversation_event.additional_properties = d
        return conversation_event

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
