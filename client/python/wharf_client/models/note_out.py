from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NoteOut")


@_attrs_define
class NoteOut:
    """An internal note.

    Attributes:
        id (int):
        conversation_id (int):
        author (str): `agent:<id>` or `token:<name>`.
        body (str):
        created_at (datetime.datetime):
        author_id (int | Unset): The agent who wrote it (absent for an integrator token).
        author_name (str | Unset): The agent's display name (absent for a token or a deleted agent).
    """

    id: int
    conversation_id: int
    author: str
    body: str
    created_at: datetime.datetime
    author_id: int | Unset = UNSET
    author_name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        conversation_id = self.conversation_id

        author = self.author

        body = self.body

        created_at = self.created_at.isoformat()

        author_id = self.author_id

        author_name = self.author_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "conversation_id": conversation_id,
                "author": author,
                "body": body,
                "created_at": created_at,
            }
        )
        if author_id is not UNSET:
            field_dict["author_id"] = author_id
        if author_name is not UNSET:
            field_dict["author_name"] = author_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        conversation_id = d.pop("conversation_id")

        author = d.pop("author")

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        author_id = d.pop("author_id", UNSET)

        author_name = d.pop("author_name", UNSET)

        note_out = cls(
            id=id,
            conversation_id=conversation_id,
            author=author,
            body=body,
            created_at=created_at,
            author_id=author_id,
            author_name=author_name,
        )

        note_out.additional_properties = d
        return note_out

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
