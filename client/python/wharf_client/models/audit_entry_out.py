from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEntryOut")


@_attrs_define
class AuditEntryOut:
    """One recorded change.

    Attributes:
        id (int):
        actor (str): `agent:<id>` or `token:<name>`.
        action (str): e.g. `number.update`, `contact.update`, `conversation.reply`.
        target_type (str):
        detail (Any): What changed (before/after, or the changed fields' names).
        created_at (datetime.datetime):
        target_id (str | Unset):
    """

    id: int
    actor: str
    action: str
    target_type: str
    detail: Any
    created_at: datetime.datetime
    target_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        actor = self.actor

        action = self.action

        target_type = self.target_type

        detail = self.detail

        created_at = self.created_at.isoformat()

        target_id = self.target_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "actor": actor,
                "action": action,
                "target_type": target_type,
                "detail": detail,
                "created_at": created_at,
            }
        )
        if target_id is not UNSET:
            field_dict["target_id"] = target_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        actor = d.pop("actor")

        action = d.pop("action")

        target_type = d.pop("target_type")

        detail = d.pop("detail")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        target_id = d.pop("target_id", UNSET)

        audit_entry_out = cls(
            id=id,
            actor=actor,
            action=action,
            target_type=target_type,
            detail=detail,
            created_at=created_at,
            target_id=target_id,
        )

        audit_entry_out.additional_properties = d
        return audit_entry_out

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
