from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.clock import Clock
from ..types import UNSET, Unset

T = TypeVar("T", bound="SlaPolicyOut")


@_attrs_define
class SlaPolicyOut:
    """An SLA policy.

    Attributes:
        id (int):
        name (str):
        enabled (bool):
        clock (Clock): Which seconds count: all of them (`wall`, the default), or those inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        team_id (int | Unset):
        label_id (int | Unset):
        business_number_id (int | Unset):
        first_response_secs (int | Unset):
        next_response_secs (int | Unset):
        resolution_secs (int | Unset):
        warn_before_secs (int | Unset):
    """

    id: int
    name: str
    enabled: bool
    clock: Clock
    created_at: datetime.datetime
    updated_at: datetime.datetime
    team_id: int | Unset = UNSET
    label_id: int | Unset = UNSET
    business_number_id: int | Unset = UNSET
    first_response_secs: int | Unset = UNSET
    next_response_secs: int | Unset = UNSET
    resolution_secs: int | Unset = UNSET
    warn_before_secs: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        enabled = self.enabled

        clock = self.clock.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        team_id = self.team_id

        label_id = self.label_id

        business_number_id = self.business_number_id

        first_response_secs = self.first_response_secs

        next_response_secs = self.next_response_secs

        resolution_secs = self.resolution_secs

        warn_before_secs = self.warn_before_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "enabled": enabled,
                "clock": clock,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if label_id is not UNSET:
            field_dict["label_id"] = label_id
        if business_number_id is not UNSET:
            field_dict["business_number_id"] = business_number_id
        if first_response_secs is not UNSET:
            field_dict["first_response_secs"] = first_response_secs
        if next_response_secs is not UNSET:
            field_dict["next_response_secs"] = next_response_secs
        if resolution_secs is not UNSET:
            field_dict["resolution_secs"] = resolution_secs
        if warn_before_secs is not UNSET:
            field_dict["warn_before_secs"] = warn_before_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        enabled = d.pop("enabled")

        clock = Clock(d.pop("clock"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        team_id = d.pop("team_id", UNSET)

        label_id = d.pop("label_id", UNSET)

        business_number_id = d.pop("business_number_id", UNSET)

        first_response_secs = d.pop("first_response_secs", UNSET)

        next_response_secs = d.pop("next_response_secs", UNSET)

        resolution_secs = d.pop("resolution_secs", UNSET)

        warn_before_secs = d.pop("warn_before_secs", UNSET)

        sla_policy_out = cls(
            id=id,
            name=name,
            enabled=enabled,
            clock=clock,
            created_at=created_at,
            updated_at=updated_at,
            team_id=team_id,
            label_id=label_id,
            business_number_id=business_number_id,
            first_response_secs=first_response_secs,
            next_response_secs=next_response_secs,
            resolution_secs=resolution_secs,
            warn_before_secs=warn_before_secs,
        )

        sla_policy_out.additional_properties = d
        return sla_policy_out

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
