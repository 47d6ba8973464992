from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactPatch")


@_attrs_define
class ContactPatch:
    """Changes to a contact; absent fields stay as they are.

    Attributes:
        tier (str | Unset):
        language (str | Unset):
        attributes (Any | Unset): Replaces the attributes; must be a JSON object.
        marketing_opt_out (bool | Unset): Opt the contact out of marketing messages (true) or back in
            (false): any bulk send skips an opted-out contact.
    """

    tier: str | Unset = UNSET
    language: str | Unset = UNSET
    attributes: Any | Unset = UNSET
    marketing_opt_out: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tier = self.tier

        language = self.language

        attributes = self.attributes

        marketing_opt_out = self.marketing_opt_out

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if tier is not UNSET:
            field_dict["tier"] = tier
        if language is not UNSET:
            field_dict["language"] = language
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if marketing_opt_out is not UNSET:
            field_dict["marketing_opt_out"] = marketing_opt_out

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tier = d.pop("tier", UNSET)

        language = d.pop("language", UNSET)

        attributes = d.pop("attributes", UNSET)

        marketing_opt_out = d.pop("marketing_opt_out", UNSET)

        contact_patch = cls(
            tier=tier,
            language=language,
            attributes=attributes,
            marketing_opt_out=marketing_opt_out,
        )

        contact_patch.additional_properties = d
        return contact_patch

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
