from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.clock import Clock
from ..types import UNSET, Unset

T = TypeVar("T", bound="SlaPolicyIn")


@_attrs_define
class SlaPolicyIn:
    """An SLA policy as written (create, and update: the whole policy).

    Attributes:
        name (str): Unique.
        team_id (int | Unset): Only this team's conversations (absent: any team).
        label_id (int | Unset): Only conversations carrying this label.
        business_number_id (int | Unset): Only this business number's conversations (its id).
        first_response_secs (int | Unset): Seconds to the first agent reply of an opening.
        next_response_secs (int | Unset): Seconds to the next agent reply after a customer message.
        resolution_secs (int | Unset): Seconds from the opening's first customer message to the resolution.
        warn_before_secs (int | Unset): "About to breach" this many seconds before a due time (absent: a
            fifth of the target).
        enabled (bool | Unset): Default true.
        clock (Clock | Unset): Which seconds count: all of them (`wall`, the default), or those inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.
    """

    name: str
    team_id: int | Unset = UNSET
    label_id: int | Unset = UNSET
    business_number_id: int | Unset = UNSET
    first_response_secs: int | Unset = UNSET
    next_response_secs: int | Unset = UNSET
    resolution_secs: int | Unset = UNSET
    warn_before_secs: int | Unset = UNSET
    enabled: bool | Unset = UNSET
    clock: Clock | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        team_id = self.team_id

        label_id = self.label_id

        business_number_id = self.business_number_id

        first_response_secs = self.first_response_secs

        next_response_secs = self.next_response_secs

        resolution_secs = self.resolution_secs

        warn_before_secs = self.warn_before_secs

        enabled = self.enabled

        clock: str | Unset = UNSET
        if not isinstance(self.clock, Unset):
            clock = self.clock.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
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
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if clock is not UNSET:
            field_dict["clock"] = clock

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        team_id = d.pop("team_id", UNSET)

        label_id = d.pop("label_id", UNSET)

        business_number_id = d.pop("business_number_id", UNSET)

        first_response_secs = d.pop("first_response_secs", UNSET)

        next_response_secs = d.pop("next_response_secs", UNSET)

        resolution_secs = d.pop("resolution_secs", UNSET)

        warn_before_secs = d.pop("warn_before_secs", UNSET)

        enabled = d.pop("enabled", UNSET)

        _clock = d.pop("clock", UNSET)
        clock: Clock | Unset
        if isinstance(_clock, Unset):
            clock = UNSET
        else:
            clock = Clock(_clock)

        sla_policy_in = cls(
            name=name,
            team_id=team_id,
            label_id=label_id,
            business_number_id=business_number_id,
            first_response_secs=first_response_secs,
            next_response_secs=next_response_secs,
            resolution_secs=resolution_secs,
            warn_before_secs=warn_before_secs,
            enabled=enabled,
            clock=clock,
        )

        sla_policy_in.additional_properties = d
        return sla_policy_in

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
