from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AudienceIn")


@_attrs_define
class AudienceIn:
    """Who a campaign goes to: exactly one of `label_id`, `contact_ids`, `csv`,
    `all` (optionally narrowed by `tier` and `language`).

        Attributes:
            label_id (int | Unset): Contacts with a conversation on the campaign's number that carries
                this label.
            contact_ids (list[int] | Unset): These contacts.
            all_ (bool | Unset): Every contact who wrote to the campaign's number (with `tier` and
                `language`: those of them that match).
            tier (str | Unset): With `all`: only contacts of this tier.
            language (str | Unset): With `all`: only contacts of this language.
            csv (str | Unset): A CSV whose header names one id column, `phone` (digits, `+`
                allowed), `wa_id` or `user_id` (a BSUID), and any other columns,
                used by the parameters as `{{csv.<column>}}`. Contacts not known yet
                are created.
    """

    label_id: int | Unset = UNSET
    contact_ids: list[int] | Unset = UNSET
    all_: bool | Unset = UNSET
    tier: str | Unset = UNSET
    language: str | Unset = UNSET
    csv: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        label_id = self.label_id

        contact_ids: list[int] | Unset = UNSET
        if not isinstance(self.contact_ids, Unset):
            contact_ids = self.contact_ids

        all_ = self.all_

        tier = self.tier

        language = self.language

        csv = self.csv

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if label_id is not UNSET:
            field_dict["label_id"] = label_id
        if contact_ids is not UNSET:
            field_dict["contact_ids"] = contact_ids
        if all_ is not UNSET:
            field_dict["all"] = all_
        if tier is not UNSET:
            field_dict["tier"] = tier
        if language is not UNSET:
            field_dict["language"] = language
        if csv is not UNSET:
            field_dict["csv"] = csv

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        label_id = d.pop("label_id", UNSET)

        contact_ids = cast(list[int], d.pop("contact_ids", UNSET))

        all_ = d.pop("all", UNSET)

        tier = d.pop("tier", UNSET)

        language = d.pop("language", UNSET)

        csv = d.pop("csv", UNSET)

        audience_in = cls(
            label_id=label_id,
            contact_ids=contact_ids,
            all_=all_,
            tier=tier,
            language=language,
            csv=csv,
        )

        audience_in.additional_properties = d
        return audience_in

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
