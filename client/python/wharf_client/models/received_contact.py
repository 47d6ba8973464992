from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReceivedContact")


@_attrs_define
class ReceivedContact:
    """The customer of `message.received`, as the provider named them.

    Attributes:
        wa_id (str):
        name (str | Unset):
        user_id (str | Unset):
        username (str | Unset):
    """

    wa_id: str
    name: str | Unset = UNSET
    user_id: str | Unset = UNSET
    username: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        wa_id = self.wa_id

        name = self.name

        user_id = self.user_id

        username = self.username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "wa_id": wa_id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        wa_id = d.pop("wa_id")

        name = d.pop("name", UNSET)

        user_id = d.pop("user_id", UNSET)

        username = d.pop("username", UNSET)

        received_contact = cls(
            wa_id=wa_id,
            name=name,
            user_id=user_id,
            username=username,
        )

        received_contact.additional_properties = d
        return received_contact

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
