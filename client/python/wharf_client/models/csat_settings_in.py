from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CsatSettingsIn")


@_attrs_define
class CsatSettingsIn:
    """A number's customer-satisfaction settings, replaced whole.

    Attributes:
        enabled (bool):
        question (str | Unset): The question (absent: the default); 1 to 1,024 characters, not
            blank. Meta shows it above a list of five choices, WasenderApi
            above five lines to answer with a digit.
        window_secs (int | Unset): How long an answer counts, 60 s to 7 days (absent: 24 h).
    """

    enabled: bool
    question: str | Unset = UNSET
    window_secs: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        question = self.question

        window_secs = self.window_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
            }
        )
        if question is not UNSET:
            field_dict["question"] = question
        if window_secs is not UNSET:
            field_dict["window_secs"] = window_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        question = d.pop("question", UNSET)

        window_secs = d.pop("window_secs", UNSET)

        csat_settings_in = cls(
            enabled=enabled,
            question=question,
            window_secs=window_secs,
        )

        csat_settings_in.additional_properties = d
        return csat_settings_in

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
