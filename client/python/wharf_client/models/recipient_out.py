from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RecipientOut")


@_attrs_define
class RecipientOut:
    """One recipient.

    Attributes:
        id (int):
        contact_id (int):
        status (str): pending, queued, sent, delivered, read, failed, skipped or cancelled.
        parameters (list[str]): The template's parameters filled for it.
        updated_at (datetime.datetime):
        wa_id (str | Unset):
        phone (str | Unset):
        name (str | Unset):
        reason (str | Unset): Why it was skipped or cancelled, or the provider's error.
        message_id (int | Unset):
        conversation_id (int | Unset):
    """

    id: int
    contact_id: int
    status: str
    parameters: list[str]
    updated_at: datetime.datetime
    wa_id: str | Unset = UNSET
    phone: str | Unset = UNSET
    name: str | Unset = UNSET
    reason: str | Unset = UNSET
    message_id: int | Unset = UNSET
    conversation_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contact_id = self.contact_id

        status = self.status

        parameters = self.parameters

        updated_at = self.updated_at.isoformat()

        wa_id = self.wa_id

        phone = self.phone

        name = self.name

        reason = self.reason

        message_id = self.message_id

        conversation_id = self.conversation_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "contact_id": contact_id,
                "status": status,
                "parameters": parameters,
                "updated_at": updated_at,
            }
        )
        if wa_id is not UNSET:
            field_dict["wa_id"] = wa_id
        if phone is not UNSET:
            field_dict["phone"] = phone
        if name is not UNSET:
            field_dict["name"] = name
        if reason is not UNSET:
            field_dict["reason"] = reason
        if message_id is not UNSET:
            field_dict["message_id"] = message_id
        if conversation_id is not UNSET:
            field_dict["conversation_id"] = conversation_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        contact_id = d.pop("contact_id")

        status = d.pop("status")

        parameters = cast(list[str], d.pop("parameters"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        wa_id = d.pop("wa_id", UNSET)

        phone = d.pop("phone", UNSET)

        name = d.pop("name", UNSET)

        reason = d.pop("reason", UNSET)

        message_id = d.pop("message_id", UNSET)

        conversation_id = d.pop("conversation_id", UNSET)

        recipient_out = cls(
            id=id,
            contact_id=contact_id,
            status=status,
            parameters=parameters,
            updated_at=updated_at,
            wa_id=wa_id,
            phone=phone,
            name=name,
            reason=reason,
            message_id=message_id,
            conversation_id=conversation_id,
        )

        recipient_out.additional_properties = d
        return recipient_out

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
