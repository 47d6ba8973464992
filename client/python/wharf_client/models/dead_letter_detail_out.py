from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dead_letter_out import DeadLetterOut
    from ..models.header_out import HeaderOut


T = TypeVar("T", bound="DeadLetterDetailOut")


@_attrs_define
class DeadLetterDetailOut:
    """A dead letter with its original bytes and headers.

    Attributes:
        letter (DeadLetterOut): One dead letter.
        headers (list[HeaderOut]):
        payload (str): The original payload (UTF-8; invalid bytes replaced).
    """

    letter: DeadLetterOut
    headers: list[HeaderOut]
    payload: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        letter = self.letter.to_dict()

        headers = []
        for headers_item_data in self.headers:
            headers_item = headers_item_data.to_dict()
            headers.append(headers_item)

        payload = self.payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "letter": letter,
                "headers": headers,
                "payload": payload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dead_letter_out import DeadLetterOut
        from ..models.header_out import HeaderOut

        d = dict(src_dict)
        letter = DeadLetterOut.from_dict(d.pop("letter"))

        headers = []
        _headers = d.pop("headers")
        for headers_item_data in _headers:
            headers_item = HeaderOut.from_dict(headers_item_data)

            headers.append(headers_item)

        payload = d.pop("payload")

        dead_letter_detail_out = cls(
            letter=letter,
            headers=headers,
            payload=payload,
        )

        dead_letter_detail_out.additional_properties = d
        return dead_letter_detail_out

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
