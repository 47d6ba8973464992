from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CannedResponseOut")


@_attrs_define
class CannedResponseOut:
    """A canned response; with `conversation_id` in the request, also its
    text for that conversation.

        Attributes:
            id (int):
            shortcut (str):
            title (str):
            body (str): The text as saved, placeholders included.
            missing (list[str]): Placeholders left as they were because the contact or caller has no
                value for them (e.g. `contact.name` of a customer without a profile
                name): the agent fills them by hand.
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            team_id (int | Unset): Absent: global.
            team_name (str | Unset):
            rendered (str | Unset): The text with the conversation's contact and the caller filled in
                (only when `conversation_id` was given).
    """

    id: int
    shortcut: str
    title: str
    body: str
    missing: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    team_id: int | Unset = UNSET
    team_name: str | Unset = UNSET
    rendered: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        shortcut = self.shortcut

        title = self.title

        body = self.body

        missing = self.missing

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        team_id = self.team_id

        team_name = self.team_name

        rendered = self.rendered

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "shortcut": shortcut,
                "title": title,
                "body": body,
                "missing": missing,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if team_name is not UNSET:
            field_dict["team_name"] = team_name
        if rendered is not UNSET:
            field_dict["rendered"] = rendered

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        shortcut = d.pop("shortcut")

        title = d.pop("title")

        body = d.pop("body")

        missing = cast(list[str], d.pop("missing"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        team_id = d.pop("team_id", UNSET)

        team_name = d.pop("team_name", UNSET)

        rendered = d.pop("rendered", UNSET)

        canned_response_out = cls(
            id=id,
            shortcut=shortcut,
            title=title,
            body=body,
            missing=missing,
            created_at=created_at,
            updated_at=updated_at,
            team_id=team_id,
            team_name=team_name,
            rendered=rendered,
        )

        canned_response_out.additional_properties = d
        return canned_response_out

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
