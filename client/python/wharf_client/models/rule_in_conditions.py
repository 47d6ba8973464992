from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.business_hours import BusinessHours


T = TypeVar("T", bound="RuleInConditions")


@_attrs_define
class RuleInConditions:
    """
    Attributes:
        keywords (list[str] | Unset): Any of these words in the text (whole words, case-insensitive).
        regex (str | Unset): A regular expression the text must match (case-insensitive).
        tiers (list[str] | Unset): The contact's tier is one of these.
        languages (list[str] | Unset): The contact's (detected) language is one of these.
        business_numbers (list[str] | Unset): The business phone number id is one of these.
        hours (BusinessHours | Unset): Business hours in a time zone.
    """

    keywords: list[str] | Unset = UNSET
    regex: str | Unset = UNSET
    tiers: list[str] | Unset = UNSET
    languages: list[str] | Unset = UNSET
    business_numbers: list[str] | Unset = UNSET
    hours: BusinessHours | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        keywords: list[str] | Unset = UNSET
        if not isinstance(self.keywords, Unset):
            keywords = self.keywords

        regex = self.regex

        tiers: list[str] | Unset = UNSET
        if not isinstance(self.tiers, Unset):
            tiers = self.tiers

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        business_numbers: list[str] | Unset = UNSET
        if not isinstance(self.business_numbers, Unset):
            business_numbers = self.business_numbers

        hours: dict[str, Any] | Unset = UNSET
        if not isinstance(self.hours, Unset):
            hours = self.hours.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if keywords is not UNSET:
            field_dict["keywords"] = keywords
        if regex is not UNSET:
            field_dict["regex"] = regex
        if tiers is not UNSET:
            field_dict["tiers"] = tiers
        if languages is not UNSET:
            field_dict["languages"] = languages
        if business_numbers is not UNSET:
            field_dict["business_numbers"] = business_numbers
        if hours is not UNSET:
            field_dict["hours"] = hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.business_hours import BusinessHours

        d = dict(src_dict)
        keywords = cast(list[str], d.pop("keywords", UNSET))

        regex = d.pop("regex", UNSET)

        tiers = cast(list[str], d.pop("tiers", UNSET))

        languages = cast(list[str], d.pop("languages", UNSET))

        business_numbers = cast(list[str], d.pop("business_numbers", UNSET))

        _hours = d.pop("hours", UNSET)
        hours: BusinessHours | Unset
        if isinstance(_hours, Unset):
            hours = UNSET
        else:
            hours = BusinessHours.from_dict(_hours)

        rule_in_conditions = cls(
            keywords=keywords,
            regex=regex,
            tiers=tiers,
            languages=languages,
            business_numbers=business_numbers,
            hours=hours,
        )

        rule_in_conditions.additional_properties = d
        return rule_in_conditions

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
