from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactDetailOut")


@_attrs_define
class ContactDetailOut:
    """A customer.

    Attributes:
        id (int):
        wa_id (str): The contact's key: its phone number, or its BSUID for a user first
            seen without one (a username hides the phone).
        tier (str):
        attributes (Any): Free-form attributes (JSON object).
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        profile_name (str | Unset):
        user_id (str | Unset): Meta's business-scoped user id (BSUID), when known.
        username (str | Unset): The WhatsApp username, when the user adopted one.
        parent_user_id (str | Unset): Meta's parent BSUID (linked business portfolios), when known.
        phone (str | Unset): The phone number, when known.
        marketing_opt_out_at (datetime.datetime | Unset): When the contact opted out of marketing messages (Meta's
            `user_preferences` or the API); absent when not.
        language (str | Unset):
    """

    id: int
    wa_id: str
    tier: str
    attributes: Any
    created_at: datetime.datetime
    updated_at: datetime.datetime
    profile_name: str | Unset = UNSET
    user_id: str | Unset = UNSET
    username: str | Unset = UNSET
    parent_user_id: str | Unset = UNSET
    phone: str | Unset = UNSET
    marketing_opt_out_at: datetime.datetime | Unset = UNSET
    language: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        wa_id = self.wa_id

        tier = self.tier

        attributes = self.attributes

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        profile_name = self.profile_name

        user_id = self.user_id

        username = self.username

        parent_user_id = self.parent_user_id

        phone = self.phone

        marketing_opt_out_at: str | Unset = UNSET
        if not isinstance(self.marketing_opt_out_at, Unset):
            marketing_opt_out_at = self.marketing_opt_out_at.isoformat()

        language = self.language

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "wa_id": wa_id,
                "tier": tier,
                "attributes": attributes,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if profile_name is not UNSET:
            field_dict["profile_name"] = profile_name
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if username is not UNSET:
            field_dict["username"] = username
        if parent_user_id is not UNSET:
            field_dict["parent_user_id"] = parent_user_id
        if phone is not UNSET:
            field_dict["phone"] = phone
        if marketing_opt_out_at is not UNSET:
            field_dict["marketing_opt_out_at"] = marketing_opt_out_at
        if language is not UNSET:
            field_dict["language"] = language

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        wa_id = d.pop("wa_id")

        tier = d.pop("tier")

        attributes = d.pop("attributes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        profile_name = d.pop("profile_name", UNSET)

        user_id = d.pop("user_id", UNSET)

        username = d.pop("username", UNSET)

        parent_user_id = d.pop("parent_user_id", UNSET)

        phone = d.pop("phone", UNSET)

        _marketing_opt_out_at = d.pop("marketing_opt_out_at", UNSET)
        marketing_opt_out_at: datetime.datetime | Unset
        if isinstance(_marketing_opt_out_at, Unset):
            marketing_opt_out_at = UNSET
        else:
            marketing_opt_out_at = datetime.datetime.fromisoformat(
                _marketing_opt_out_at
            )

        language = d.pop("language", UNSET)

        contact_detail_out = cls(
            id=id,
            wa_id=wa_id,
            tier=tier,
            attributes=attributes,
            created_at=created_at,
            updated_at=updated_at,
            profile_name=profile_name,
            user_id=user_id,
            username=username,
            parent_user_id=parent_user_id,
            phone=phone,
            marketing_opt_out_at=marketing_opt_out_at,
            language=language,
        )

        contact_detail_out.additional_properties = d
        return contact_detail_out

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
