from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConversationOutCsat")


@_attrs_define
class ConversationOutCsat:
    """The customer-satisfaction question of the last resolution and its
    answer (absent when none was due).

        Attributes:
            state (str): due (waits to be sent), asked, answered, cancelled (reopened
                before an answer) or skipped (not sendable).
            asked_at (datetime.datetime | Unset):
            expires_at (datetime.datetime | Unset): Until then an answer counts.
            message_id (int | Unset): The question's message.
            score (int | Unset): 1 (very poor) to 5 (excellent).
            answered_at (datetime.datetime | Unset):
    """

    state: str
    asked_at: datetime.datetime | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    message_id: int | Unset = UNSET
    score: int | Unset = UNSET
    answered_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        state = self.state

        asked_at: str | Unset = UNSET
        if not isinstance(self.asked_at, Unset):
            asked_at = self.asked_at.isoformat()

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        message_id = self.message_id

        score = self.score

        answered_at: str | Unset = UNSET
        if not isinstance(self.answered_at, Unset):
            answered_at = self.answered_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
            }
        )
        if asked_at is not UNSET:
            field_dict["asked_at"] = asked_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if message_id is not UNSET:
            field_dict["message_id"] = message_id
        if score is not UNSET:
            field_dict["score"] = score
        if answered_at is not UNSET:
            field_dict["answered_at"] = answered_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = d.pop("state")

        _asked_at = d.pop("asked_at", UNSET)
        asked_at: datetime.datetime | Unset
        if isinstance(_asked_at, Unset):
            asked_at = UNSET
        else:
            asked_at = datetime.datetime.fromisoformat(_asked_at)

        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        message_id = d.pop("message_id", UNSET)

        score = d.pop("score", UNSET)

        _answered_at = d.pop("answered_at", UNSET)
        answered_at: datetime.datetime | Unset
        if isinstance(_answered_at, Unset):
            answered_at = UNSET
        else:
            answered_at = datetime.datetime.fromisoformat(_answered_at)

        conversation_out_csat = cls(
            state=state,
            asked_at=asked_at,
            expires_at=expires_at,
            message_id=message_id,
            score=score,
            answered_at=answered_at,
        )

        conversation_out_csat.additional_properties = d
        return conversation_out_csat

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
