from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.bulk_row_out import BulkRowOut


T = TypeVar("T", bound="BulkOut")


@_attrs_define
class BulkOut:
    """The outcome of a bulk action, one row per selected conversation, in the
    request's order.

        Attributes:
            rows (list[BulkRowOut]):
            applied (int): How many rows were applied.
            failed (int): How many were not.
    """

    rows: list[BulkRowOut]
    applied: int
    failed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data.to_dict()
            rows.append(rows_item)

        applied = self.applied

        failed = self.failed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rows": rows,
                "applied": applied,
                "failed": failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bulk_row_out import BulkRowOut

        d = dict(src_dict)
        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = BulkRowOut.from_dict(rows_item_data)

            rows.append(rows_item)

        applied = d.pop("applied")

        failed = d.pop("failed")

        bulk_out = cls(
            rows=rows,
            applied=applied,
            failed=failed,
        )

        bulk_out.additional_properties = d
        return bulk_out

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
