from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeadLetterData")


@_attrs_define
class DeadLetterData:
    """A dead letter as `dead_letter.created` shows it.

    Attributes:
        id (int):
        origin (str): inbound, outbound, …
        reason (str):
        error (str):
        attempts (int):
        business_number (str | Unset):
        failed_at (datetime.datetime | Unset):
    """

    id: int
    origin: str
    reason: str
    error: str
    attempts: int
    business_number: str | Unset = UNSET
    failed_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        origin = self.origin

        reason = self.reason

        error = self.error

        attempts = self.attempts

        business_number = self.business_number

        failed_at: str | Unset = UNSET
        if not isinstance(self.failed_at, Unset):
            failed_at = self.failed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "origin": origin,
                "reason": reason,
                "error": error,
                "attempts": attempts,
            }
        )
        if business_number is not UNSET:
            field_dict["business_number"] = business_number
        if failed_at is not UNSET:
            field_dict["failed_at"] = failed_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        origin = d.pop("origin")

        reason = d.pop("reason")

        error = d.pop("error")

        attempts = d.pop("attempts")

        business_number = d.pop("business_number", UNSET)

        _failed_at = d.pop("failed_at", UNSET)
        failed_at: datetime.datetime | Unset
        if isinstance(_failed_at, Unset):
            failed_at = UNSET
        else:
            failed_at = datetime.datetime.fromisoformat(_failed_at)

        dead_letter_data = cls(
            id=id,
            origin=origin,
            reason=reason,
            error=error,
            attempts=attempts,
            business_number=business_number,
            failed_at=failed_at,
        )

        dead_letter_data.additional_properties = d
        return dead_letter_data

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
