from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TemplateOut")


@_attrs_define
class TemplateOut:
    """A message template of a business account.

    Attributes:
        id (int):
        waba_id (str): The WhatsApp Business Account it belongs to.
        name (str):
        language (str):
        status (str): APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … (only APPROVED
            templates are sent).
        components (Any): Header, body, footer and buttons, as Meta describes them.
        updated_at (datetime.datetime):
        category (str | Unset): MARKETING, UTILITY or AUTHENTICATION.
        quality (str | Unset): GREEN, YELLOW, RED or UNKNOWN.
        reason (str | Unset): Why it was rejected, paused or disabled.
        provider_template_id (str | Unset):
    """

    id: int
    waba_id: str
    name: str
    language: str
    status: str
    components: Any
    updated_at: datetime.datetime
    category: str | Unset = UNSET
    quality: str | Unset = UNSET
    reason: str | Unset = UNSET
    provider_template_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        waba_id = self.waba_id

        name = self.name

        language = self.language

        status = self.status

        components = self.components

        updated_at = self.updated_at.isoformat()

        category = self.category

        quality = self.quality

        reason = self.reason

        provider_template_id = self.provider_template_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "waba_id": waba_id,
                "name": name,
                "language": language,
                "status": status,
                "components": components,
                "updated_at": updated_at,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if quality is not UNSET:
            field_dict["quality"] = quality
        if reason is not UNSET:
            field_dict["reason"] = reason
        if provider_template_id is not UNSET:
            field_dict["provider_template_id"] = provider_template_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        waba_id = d.pop("waba_id")

        name = d.pop("name")

        language = d.pop("language")

        status = d.pop("status")

        components = d.pop("components")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        category = d.pop("category", UNSET)

        quality = d.pop("quality", UNSET)

        reason = d.pop("reason", UNSET)

        provider_template_id = d.pop("provider_template_id", UNSET)

        template_out = cls(
            id=id,
            waba_id=waba_id,
            name=name,
            language=language,
            status=status,
            components=components,
            updated_at=updated_at,
            category=category,
            quality=quality,
            reason=reason,
            provider_template_id=provider_template_id,
        )

        template_out.additional_properties = d
        return template_out

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
