from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactOut")


@_attrs_define
class ContactOut:
    """The customer of a conversation.

    Attributes:
        id (int):
        wa_id (str): The contact's key: its phone number, or its BSUID for a user first
            seen without one (a username hides the phone).
        tier (str):
        profile_name (str | Unset):
        username (str | Unset): The WhatsApp username, when the user adopted one.
        phone (str | Unset): The phone number, when known.
        user_id (str | Unset): Meta's business-scoped user id (BSUID), when known.
    """

    id: int
    wa_id: str
    tier: str
    profile_name: str | Unset = UNSET
    username: str | Unset = UNSET
    phone: str | Unset = UNSET
    user_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        wa_id = self.wa_id

        tier = self.tier

        profile_name = self.profile_name

        username = self.username

        phone = self.phone

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "wa_id": wa_id,
                "tier": tier,
            }
        )
        if profile_name is not UNSET:
            field_dict["profile_name"] = profile_name
        if username is not UNSET:
            field_dict["username"] = username
        if phone is not UNSET:
            field_dict["phone"] = phone
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        wa_id = d.pop("wa_id")

        tier = d.pop("tier")

        profile_name = d.pop("profile_name", UNSET)

        username = d.pop("username", UNSET)

        phone = d.pop("phone", UNSET)

        user_id = d.pop("user_id", UNSET)

        contact_out = cls(
            id=id,
            wa_id=wa_id,
            tier=tier,
            profile_name=profile_name,
            username=username,
            phone=phone,
            user_id=user_id,
        )

        contact_out.additional_properties = d
        return contact_out

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
