from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CannedResponseIn")


@_attrs_define
class CannedResponseIn:
    """A new canned response.

    Attributes:
        shortcut (str): What follows `/` in the reply box: letters, digits, `-` and `_`,
            stored in lower case; unique across all scopes.
        title (str):
        body (str): The text; may hold `{{contact.name}}`, `{{contact.first_name}}`,
            `{{contact.phone}}`, `{{contact.username}}`, `{{contact.wa_id}}`,
            `{{contact.<attribute>}}` and `{{agent.name}}`.
        team_id (int | Unset): The team whose agents see it; absent or null: every agent.
    """

    shortcut: str
    title: str
    body: str
    team_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shortcut = self.shortcut

        title = self.title

        body = self.body

        team_id = self.team_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shortcut": shortcut,
                "title": title,
                "body": body,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        shortcut = d.pop("shortcut")

        title = d.pop("title")

        body = d.pop("body")

        team_id = d.pop("team_id", UNSET)

        canned_response_in = cls(
            shortcut=shortcut,
            title=title,
            body=body,
            team_id=team_id,
        )

        canned_response_in.additional_properties = d
        return canned_response_in

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
