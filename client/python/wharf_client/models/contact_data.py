from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactData")


@_attrs_define
class ContactData:
    """A contact as `contact.updated` shows it.

    Attributes:
        id (int):
        wa_id (str):
        tier (str):
        attributes (Any): The contact's custom attributes (a JSON object).
        name (str | Unset):
        language (str | Unset):
        marketing_opt_out_at (datetime.datetime | Unset):
    """

    id: int
    wa_id: str
    tier: str
    attributes: Any
    name: str | Unset = UNSET
    language: str | Unset = UNSET
    marketing_opt_out_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        wa_id = self.wa_id

        tier = self.tier

        attributes = self.attributes

        name = self.name

        language = self.language

        marketing_opt_out_at: str | Unset = UNSET
        if not isinstance(self.marketing_opt_out_at, Unset):
            marketing_opt_out_at = self.marketing_opt_out_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "wa_id": wa_id,
                "tier": tier,
                "attributes": attributes,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if language is not UNSET:
            field_dict["language"] = language
        if marketing_opt_out_at is not UNSET:
            field_dict["marketing_opt_out_at"] = marketing_opt_out_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        wa_id = d.pop("wa_id")

        tier = d.pop("tier")

        attributes = d.pop("attributes")

        name = d.pop("name", UNSET)

        language = d.pop("language", UNSET)

        _marketing_opt_out_at = d.pop("marketing_opt_out_at", UNSET)
        marketing_opt_out_at: datetime.datetime | Unset
        if isinstance(_marketing_opt_out_at, Unset):
            marketing_opt_out_at = UNSET
        else:
            marketing_opt_out_at = datetime.datetime.fromisoformat(
                _marketing_opt_out_at
            )

        contact_data = cls(
            id=id,
            wa_id=wa_id,
            tier=tier,
            attributes=attributes,
            name=name,
            language=language,
            marketing_opt_out_at=marketing_opt_out_at,
        )

        contact_data.additional_properties = d
        return contact_data

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
