from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dead_letter_data import DeadLetterData


T = TypeVar("T", bound="DeadLetterCreated")


@_attrs_define
class DeadLetterCreated:
    """`data` of `dead_letter.created`.

    Attributes:
        dead_letter (DeadLetterData): A dead letter as `dead_letter.created` shows it.
    """

    dead_letter: DeadLetterData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dead_letter = self.dead_letter.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dead_letter": dead_letter,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dead_letter_data import DeadLetterData

        d = dict(src_dict)
        dead_letter = DeadLetterData.from_dict(d.pop("dead_letter"))

        dead_letter_created = cls(
            dead_letter=dead_letter,
        )

        dead_letter_created.additional_properties = d
        return dead_letter_created

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
