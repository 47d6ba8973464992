from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.message_out import MessageOut
    from ..models.stage_out import StageOut


T = TypeVar("T", bound="MessageLifecycleOut")


@_attrs_define
class MessageLifecycleOut:
    """A message and its lifecycle, oldest stage first.

    Attributes:
        message (MessageOut): One message of a conversation.
        conversation_id (int):
        stages (list[StageOut]):
    """

    message: MessageOut
    conversation_id: int
    stages: list[StageOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message.to_dict()

        conversation_id = self.conversation_id

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "conversation_id": conversation_id,
                "stages": stages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message_out import MessageOut
        from ..models.stage_out import StageOut

        d = dict(src_dict)
        message = MessageOut.from_dict(d.pop("message"))

        conversation_id = d.pop("conversation_id")

        stages = []
        _stages = d.pop("stages")
        for stages_item_data in _stages:
            stages_item = StageOut.from_dict(stages_item_data)

            stages.append(stages_item)

        message_lifecycle_out = cls(
            message=message,
            conversation_id=conversation_id,
            stages=stages,
        )

        message_lifecycle_out.additional_properties = d
        return message_lifecycle_out

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
