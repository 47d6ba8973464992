from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SlaOut")


@_attrs_define
class SlaOut:
    """Where a conversation stands against its SLA policy (`docs/reports.md`,
    "SLA policies").

        Attributes:
            policy_id (int):
            target (str): first_response, next_response or resolution: the clock due first.
            due_at (datetime.datetime): The nearest due time of the running clocks.
            state (str): ok, warning (about to breach) or breached (past due).
            breach (str | Unset): The target whose breach was recorded (absent until the sweep
                records it).
            breached_at (datetime.datetime | Unset):
    """

    policy_id: int
    target: str
    due_at: datetime.datetime
    state: str
    breach: str | Unset = UNSET
    breached_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        policy_id = self.policy_id

        target = self.target

        due_at = self.due_at.isoformat()

        state = self.state

        breach = self.breach

        breached_at: str | Unset = UNSET
        if not isinstance(self.breached_at, Unset):
            breached_at = self.breached_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "policy_id": policy_id,
                "target": target,
                "due_at": due_at,
                "state": state,
            }
        )
        if breach is not UNSET:
            field_dict["breach"] = breach
        if breached_at is not UNSET:
            field_dict["breached_at"] = breached_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        policy_id = d.pop("policy_id")

        target = d.pop("target")

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        state = d.pop("state")

        breach = d.pop("breach", UNSET)

        _breached_at = d.pop("breached_at", UNSET)
        breached_at: datetime.datetime | Unset
        if isinstance(_breached_at, Unset):
            breached_at = UNSET
        else:
            breached_at = datetime.datetime.fromisoformat(_breached_at)

        sla_out = cls(
            policy_id=policy_id,
            target=target,
            due_at=due_at,
            state=state,
            breach=breach,
            breached_at=breached_at,
        )

        sla_out.additional_properties = d
        return sla_out

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
