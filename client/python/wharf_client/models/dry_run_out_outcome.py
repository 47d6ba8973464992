from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dry_run_outcome_type import DryRunOutcomeType
from ..types import UNSET, Unset

T = TypeVar("T", bound="DryRunOutOutcome")


@_attrs_define
class DryRunOutOutcome:
    """What the router would do; absent when no rule matched (the
    conversation then stays with the bot, unrouted).

        Attributes:
            type_ (DryRunOutcomeType): Where a matched message goes.
            team_id (int | Unset): For `queue`.
            priority (int | Unset): For `queue`.
            reply (str | Unset): For `bot`: its canned answer to the text, if any.
    """

    type_: DryRunOutcomeType
    team_id: int | Unset = UNSET
    priority: int | Unset = UNSET
    reply: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        team_id = self.team_id

        priority = self.priority

        reply = self.reply

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if priority is not UNSET:
            field_dict["priority"] = priority
        if reply is not UNSET:
            field_dict["reply"] = reply

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = DryRunOutcomeType(d.pop("type"))

        team_id = d.pop("team_id", UNSET)

        priority = d.pop("priority", UNSET)

        reply = d.pop("reply", UNSET)

        dry_run_out_outcome = cls(
            type_=type_,
            team_id=team_id,
            priority=priority,
            reply=reply,
        )

        dry_run_out_outcome.additional_properties = d
        return dry_run_out_outcome

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
