from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SlaClockOut")


@_attrs_define
class SlaClockOut:
    """One SLA clock's outcomes and breaches (`docs/reports.md`, "SLA in
    reports").

        Attributes:
            met (int): Timed responses (resolutions) under a policy with a target for this
                clock that took at most the target.
            missed (int): Those that took longer.
            breaches (int): Breaches recorded while the clock ran (by when recorded).
            compliance (float | Unset): `met / (met + missed)`, four decimals (absent without outcomes).
    """

    met: int
    missed: int
    breaches: int
    compliance: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        met = self.met

        missed = self.missed

        breaches = self.breaches

        compliance = self.compliance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "met": met,
                "missed": missed,
                "breaches": breaches,
            }
        )
        if compliance is not UNSET:
            field_dict["compliance"] = compliance

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        met = d.pop("met")

        missed = d.pop("missed")

        breaches = d.pop("breaches")

        compliance = d.pop("compliance", UNSET)

        sla_clock_out = cls(
            met=met,
            missed=missed,
            breaches=breaches,
            compliance=compliance,
        )

        sla_clock_out.additional_properties = d
        return sla_clock_out

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
