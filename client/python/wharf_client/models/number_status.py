from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.number_update import NumberUpdate


T = TypeVar("T", bound="NumberStatus")


@_attrs_define
class NumberStatus:
    """`data` of `number.status`.

    Attributes:
        business_number (str): The business number's phone number id.
        update (NumberUpdate): What the provider reported in `number.status`.
    """

    business_number: str
    update: NumberUpdate
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        business_number = self.business_number

        update = self.update.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "business_number": business_number,
                "update": update,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.number_update import NumberUpdate

        d = dict(src_dict)
        business_number = d.pop("business_number")

        update = NumberUpdate.from_dict(d.pop("update"))

        number_status = cls(
            business_number=business_number,
            update=update,
        )

        number_status.additional_properties = d
        return number_status

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
