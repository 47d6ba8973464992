from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CannedResponsePatch")


@_attrs_define
class CannedResponsePatch:
    """Changes to a canned response; absent fields stay as they are.
    `team_id` moves it to a team, `global: true` makes it every agent's
    (both at once is a 422).

        Attributes:
            shortcut (str | Unset):
            title (str | Unset):
            body (str | Unset):
            team_id (int | Unset):
            global_ (bool | Unset):
    """

    shortcut: str | Unset = UNSET
    title: str | Unset = UNSET
    body: str | Unset = UNSET
    team_id: int | Unset = UNSET
    global_: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shortcut = self.shortcut

        title = self.title

        body = self.body

        team_id = self.team_id

        global_ = self.global_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if shortcut is not UNSET:
            field_dict["shortcut"] = shortcut
        if title is not UNSET:
            field_dict["title"] = title
        if body is not UNSET:
            field_dict["body"] = body
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if global_ is not UNSET:
            field_dict["global"] = global_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        shortcut = d.pop("shortcut", UNSET)

        title = d.pop("title", UNSET)

        body = d.pop("body", UNSET)

        team_id = d.pop("team_id", UNSET)

        global_ = d.pop("global", UNSET)

        canned_response_patch = cls(
            shortcut=shortcut,
            title=title,
            body=body,
            team_id=team_id,
            global_=global_,
        )

        canned_response_patch.additional_properties = d
        return canned_response_patch

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
