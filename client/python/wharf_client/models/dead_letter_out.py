from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeadLetterOut")


@_attrs_define
class DeadLetterOut:
    """One dead letter.

    Attributes:
        id (int):
        origin (str): router or sender.
        reason (str): Bounded failure label, e.g. `provider_131026`, `malformed`.
        subject (str): The subject the message was consumed from.
        stream_sequence (int): Its sequence in the origin stream.
        error (str): The last error, e.g. the provider's.
        attempts (int): Deliveries before it was given up.
        status (str): pending, replayed or discarded.
        replay_count (int):
        history (Any): Earlier failures (one per failed replay), oldest first.
        dlq_sequence (int | Unset): Its sequence in the DLQ stream, where its bytes are kept.
        business_number (str | Unset):
        first_failed_at (datetime.datetime | Unset):
        last_failed_at (datetime.datetime | Unset):
    """

    id: int
    origin: str
    reason: str
    subject: str
    stream_sequence: int
    error: str
    attempts: int
    status: str
    replay_count: int
    history: Any
    dlq_sequence: int | Unset = UNSET
    business_number: str | Unset = UNSET
    first_failed_at: datetime.datetime | Unset = UNSET
    last_failed_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        origin = self.origin

        reason = self.reason

        subject = self.subject

        stream_sequence = self.stream_sequence

        error = self.error

        attempts = self.attempts

        status = self.status

        replay_count = self.replay_count

        history = self.history

        dlq_sequence = self.dlq_sequence

        business_number = self.business_number

        first_failed_at: str | Unset = UNSET
        if not isinstance(self.first_failed_at, Unset):
            first_failed_at = self.first_failed_at.isoformat()

        last_failed_at: str | Unset = UNSET
        if not isinstance(self.last_failed_at, Unset):
            last_failed_at = self.last_failed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "origin": origin,
                "reason": reason,
                "subject": subject,
                "stream_sequence": stream_sequence,
                "error": error,
                "attempts": attempts,
                "status": status,
                "replay_count": replay_count,
                "history": history,
            }
        )
        if dlq_sequence is not UNSET:
            field_dict["dlq_sequence"] = dlq_sequence
        if business_number is not UNSET:
            field_dict["business_number"] = business_number
        if first_failed_at is not UNSET:
            field_dict["first_failed_at"] = first_failed_at
        if last_failed_at is not UNSET:
            field_dict["last_failed_at"] = last_failed_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        origin = d.pop("origin")

        reason = d.pop("reason")

        subject = d.pop("subject")

        stream_sequence = d.pop("stream_sequence")

        error = d.pop("error")

        attempts = d.pop("attempts")

        status = d.pop("status")

        replay_count = d.pop("replay_count")

        history = d.pop("history")

        dlq_sequence = d.pop("dlq_sequence", UNSET)

        business_number = d.pop("business_number", UNSET)

        _first_failed_at = d.pop("first_failed_at", UNSET)
        first_failed_at: datetime.datetime | Unset
        if isinstance(_first_failed_at, Unset):
            first_failed_at = UNSET
        else:
            first_failed_at = datetime.datetime.fromisoformat(_first_failed_at)

        _last_failed_at = d.pop("last_failed_at", UNSET)
        last_failed_at: datetime.datetime | Unset
        if isinstance(_last_failed_at, Unset):
            last_failed_at = UNSET
        else:
            last_failed_at = datetime.datetime.fromisoformat(_last_failed_at)

        dead_letter_out = cls(
            id=id,
            origin=origin,
            reason=reason,
            subject=subject,
            stream_sequence=stream_sequence,
            error=error,
            attempts=attempts,
            status=status,
            replay_count=replay_count,
            history=history,
            dlq_sequence=dlq_sequence,
            business_number=business_number,
            first_failed_at=first_failed_at,
            last_failed_at=last_failed_at,
        )

        dead_letter_out.additional_properties = d
        return dead_letter_out

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
