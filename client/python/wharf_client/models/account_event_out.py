from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountEventOut")


@_attrs_define
class AccountEventOut:
    """One thing Meta reported about an account or number.

    Attributes:
        id (int):
        field (str): The webhook field (account_update, phone_number_quality_update, …).
        event (str): Its event (ACCOUNT_VIOLATION, DISABLED_UPDATE, FLAGGED, …).
        detail (Any): What the provider sent, whole.
        provider_timestamp (datetime.datetime):
        waba_id (str | Unset):
        business_number_id (int | Unset):
    """

    id: int
    field: str
    event: str
    detail: Any
    provider_timestamp: datetime.datetime
    waba_id: str | Unset = UNSET
    business_number_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        field = self.field

        event = self.event

        detail = self.detail

        provider_timestamp = self.provider_timestamp.isoformat()

        waba_id = self.waba_id

        business_number_id = self.business_number_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "field": field,
                "event": event,
                "detail": detail,
                "provider_timestamp": provider_timestamp,
            }
        )
        if waba_id is not UNSET:
            field_dict["waba_id"] = waba_id
        if business_number_id is not UNSET:
            field_dict["business_number_id"] = business_number_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        field = d.pop("field")

        event = d.pop("event")

        detail = d.pop("detail")

        provider_timestamp = datetime.datetime.fromisoformat(
            d.pop("provider_timestamp")
        )

        waba_id = d.pop("waba_id", UNSET)

        business_number_id = d.pop("business_number_id", UNSET)

        account_event_out = cls(
            id=id,
            field=field,
            event=event,
            detail=detail,
            provider_timestamp=provider_timestamp,
            waba_id=waba_id,
            business_number_id=business_number_id,
        )

        account_event_out.additional_properties = d
        return account_event_out

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
