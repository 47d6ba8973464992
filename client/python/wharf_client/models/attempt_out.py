from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AttemptOut")


@_attrs_define
class AttemptOut:
    """One delivery attempt.

    Attributes:
        id (int):
        event_id (str):
        event_type (str):
        attempt (int):
        at (datetime.datetime):
        latency_ms (int):
        outcome (str): `delivered`, `retrying` or `failed`.
        conversation_id (int | Unset):
        message_id (int | Unset):
        status_code (int | Unset):
        response_prefix (str | Unset): The first bytes of the receiver's answer.
        error (str | Unset):
    """

    id: int
    event_id: str
    event_type: str
    attempt: int
    at: datetime.datetime
    latency_ms: int
    outcome: str
    conversation_id: int | Unset = UNSET
    message_id: int | Unset = UNSET
    status_code: int | Unset = UNSET
    response_prefix: str | Unset = UNSET
    error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event_id = self.event_id

        event_type = self.event_type

        attempt = self.attempt

        at = self.at.isoformat()

        latency_ms = self.latency_ms

        outcome = self.outcome

        conversation_id = self.conversation_id

        message_id = self.message_id

        status_code = self.status_code

        response_prefix = self.response_prefix

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event_id": event_id,
                "event_type": event_type,
                "attempt": attempt,
                "at": at,
                "latency_ms": latency_ms,
                "outcome": outcome,
            }
        )
        if conversation_id is not UNSET:
            field_dict["conversation_id"] = conversation_id
        if message_id is not UNSET:
            field_dict["message_id"] = message_id
        if status_code is not UNSET:
            field_dict["status_code"] = status_code
        if response_prefix is not UNSET:
            field_dict["response_prefix"] = response_prefix
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        attempt = d.pop("attempt")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        latency_ms = d.pop("latency_ms")

        outcome = d.pop("outcome")

        conversation_id = d.pop("conversation_id", UNSET)

        message_id = d.pop("message_id", UNSET)

        status_code = d.pop("status_code", UNSET)

        response_prefix = d.pop("response_prefix", UNSET)

        error = d.pop("error", UNSET)

        attempt_out = cls(
            id=id,
            event_id=event_id,
            event_type=event_type,
            attempt=attempt,
            at=at,
            latency_ms=latency_ms,
            outcome=outcome,
            conversation_id=conversation_id,
            message_id=message_id,
            status_code=status_code,
            response_prefix=response_prefix,
            error=error,
        )

        attempt_out.additional_properties = d
        return attempt_out

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
