from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bulk_row_out_conversation import BulkRowOutConversation


T = TypeVar("T", bound="BulkRowOut")


@_attrs_define
class BulkRowOut:
    """What happened to one selected conversation.

    Attributes:
        id (int):
        ok (bool): Applied (or nothing to do, see `changed`).
        changed (bool | Unset): With `ok`: whether anything changed (a label already there, or not
            there to remove, changes nothing).
        code (str | Unset): Without `ok`: `conflict` (changed since you read it), `forbidden`
            (another team's), `not_found`, `invalid_state` (e.g. resolving a
            resolved one) or `internal`.
        detail (str | Unset): Without `ok`: why, for people.
        conversation (BulkRowOutConversation | Unset): The conversation as it is now (absent when not found or not
            yours).
    """

    id: int
    ok: bool
    changed: bool | Unset = UNSET
    code: str | Unset = UNSET
    detail: str | Unset = UNSET
    conversation: BulkRowOutConversation | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        ok = self.ok

        changed = self.changed

        code = self.code

        detail = self.detail

        conversation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conversation, Unset):
            conversation = self.conversation.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "ok": ok,
            }
        )
        if changed is not UNSET:
            field_dict["changed"] = changed
        if code is not UNSET:
            field_dict["code"] = code
        if detail is not UNSET:
            field_dict["detail"] = detail
        if conversation is not UNSET:
            field_dict["conversation"] = conversation

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bulk_row_out_conversation import BulkRowOutConversation

        d = dict(src_dict)
        id = d.pop("id")

        ok = d.pop("ok")

        changed = d.pop("changed", UNSET)

        code = d.pop("code", UNSET)

        detail = d.pop("detail", UNSET)

        _conversation = d.pop("conversation", UNSET)
        conversation: BulkRowOutConversation | Unset
        if isinstance(_conversation, Unset):
            conversation = UNSET
        else:
            conversation = BulkRowOutConversation.from_dict(_conversation)

        bulk_row_out = cls(
            id=id,
            ok=ok,
            changed=changed,
            code=code,
            detail=detail,
            conversation=conversation,
        )

        bulk_row_out.additional_properties = d
        return bulk_row_out

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
