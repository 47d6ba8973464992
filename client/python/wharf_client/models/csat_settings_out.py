from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CsatSettingsOut")


@_attrs_define
class CsatSettingsOut:
    """A number's customer-satisfaction question (`docs/reports.md`,
    "Customer satisfaction").

        Attributes:
            enabled (bool): Ask after each resolution.
            question (str): The text asked: the number's own, or the default.
            custom_question (bool): Whether `question` is the number's own (not the default).
            window_secs (int): How long after the question an answer counts, in seconds.
    """

    enabled: bool
    question: str
    custom_question: bool
    window_secs: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        question = self.question

        custom_question = self.custom_question

        window_secs = self.window_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "question": question,
                "custom_question": custom_question,
                "window_secs": window_secs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        question = d.pop("question")

        custom_question = d.pop("custom_question")

        window_secs = d.pop("window_secs")

        csat_settings_out = cls(
            enabled=enabled,
            question=question,
            custom_question=custom_question,
            window_secs=window_secs,
        )

        csat_settings_out.additional_properties = d
        return csat_settings_out

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
