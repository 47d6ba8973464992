from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DryRunIn")


@_attrs_define
class DryRunIn:
    """A sample message for a dry run.

    Attributes:
        text (str | Unset): Text of the message.
        tier (str | Unset): The contact's tier (default `standard`). Default: 'standard'.
        language (str | Unset): The contact's known language; absent detects it from the text, as
            the router does for a contact without one.
        business_number (str | Unset): The business phone number id the message arrives on. Default: ''.
        at (datetime.datetime | Unset): Provider time of the message (default now).
    """

    text: str | Unset = UNSET
    tier: str | Unset = "standard"
    language: str | Unset = UNSET
    business_number: str | Unset = ""
    at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        tier = self.tier

        language = self.language

        business_number = self.business_number

        at: str | Unset = UNSET
        if not isinstance(self.at, Unset):
            at = self.at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if text is not UNSET:
            field_dict["text"] = text
        if tier is not UNSET:
            field_dict["tier"] = tier
        if language is not UNSET:
            field_dict["language"] = language
        if business_number is not UNSET:
            field_dict["business_number"] = business_number
        if at is not UNSET:
            field_dict["at"] = at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        text = d.pop("text", UNSET)

        tier = d.pop("tier", UNSET)

        language = d.pop("language", UNSET)

        business_number = d.pop("business_number", UNSET)

        _at = d.pop("at", UNSET)
        at: datetime.datetime | Unset
        if isinstance(_at, Unset):
            at = UNSET
        else:
            at = datetime.datetime.fromisoformat(_at)

        dry_run_in = cls(
            text=text,
            tier=tier,
            language=language,
            business_number=business_number,
            at=at,
        )

        dry_run_in.additional_properties = d
        return dry_run_in

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
