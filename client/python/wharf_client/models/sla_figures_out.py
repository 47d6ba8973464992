from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sla_clock_out import SlaClockOut


T = TypeVar("T", bound="SlaFiguresOut")


@_attrs_define
class SlaFiguresOut:
    """SLA figures per clock.

    Attributes:
        first_response (SlaClockOut): One SLA clock's outcomes and breaches (`docs/reports.md`, "SLA in
            reports").
        next_response (SlaClockOut): One SLA clock's outcomes and breaches (`docs/reports.md`, "SLA in
            reports").
        resolution (SlaClockOut): One SLA clock's outcomes and breaches (`docs/reports.md`, "SLA in
            reports").
    """

    first_response: SlaClockOut
    next_response: SlaClockOut
    resolution: SlaClockOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        first_response = self.first_response.to_dict()

        next_response = self.next_response.to_dict()

        resolution = self.resolution.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "first_response": first_response,
                "next_response": next_response,
                "resolution": resolution,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sla_clock_out import SlaClockOut

        d = dict(src_dict)
        first_response = SlaClockOut.from_dict(d.pop("first_response"))

        next_response = SlaClockOut.from_dict(d.pop("next_response"))

        resolution = SlaClockOut.from_dict(d.pop("resolution"))

        sla_figures_out = cls(
            first_response=first_response,
            next_response=next_response,
            resolution=resolution,
        )

        sla_figures_out.additional_properties = d
        return sla_figures_out

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
