from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.clock import Clock
from ..models.report_group_by import ReportGroupBy

if TYPE_CHECKING:
    from ..models.support_group_out import SupportGroupOut
    from ..models.support_report_out_total import SupportReportOutTotal


T = TypeVar("T", bound="SupportReportOut")


@_attrs_define
class SupportReportOut:
    """A support report.

    Attributes:
        from_ (datetime.datetime):
        to (datetime.datetime):
        group_by (ReportGroupBy): How measures are grouped (`group_by` of the reports API).
        clock (Clock): Which seconds count: all of them (`wall`, the default), or those inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.
        groups (list[SupportGroupOut]): Groups in order: the one without key first, then by date or id.
        total (SupportReportOutTotal): The whole range.
    """

    from_: datetime.datetime
    to: datetime.datetime
    group_by: ReportGroupBy
    clock: Clock
    groups: list[SupportGroupOut]
    total: SupportReportOutTotal
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        group_by = self.group_by.value

        clock = self.clock.value

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        total = self.total.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "to": to,
                "group_by": group_by,
                "clock": clock,
                "groups": groups,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.support_group_out import SupportGroupOut
        from ..models.support_report_out_total import SupportReportOutTotal

        d = dict(src_dict)
        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        to = datetime.datetime.fromisoformat(d.pop("to"))

        group_by = ReportGroupBy(d.pop("group_by"))

        clock = Clock(d.pop("clock"))

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = SupportGroupOut.from_dict(groups_item_data)

            groups.append(groups_item)

        total = SupportReportOutTotal.from_dict(d.pop("total"))

        support_report_out = cls(
            from_=from_,
            to=to,
            group_by=group_by,
            clock=clock,
            groups=groups,
            total=total,
        )

        support_report_out.additional_properties = d
        return support_report_out

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
