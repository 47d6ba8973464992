from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookOut")


@_attrs_define
class WebhookOut:
    """An endpoint, without its URL, secret and header values.

    Attributes:
        id (int):
        url_origin (str): The URL's scheme and host: the URL itself is a secret.
        description (str):
        event_types (list[str]):
        enabled (bool):
        ordered (bool):
        header_names (list[str]): The names of the extra headers.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        business_number (str | Unset):
        team_id (int | Unset):
        disabled_reason (str | Unset): `gone` (the receiver answered 410) or `failing` (failing longer
            than allowed) when Wharf disabled it.
        rate_per_second (int | Unset):
        previous_secret_until (datetime.datetime | Unset): Until when the secret before the last rotation signs too.
        failing_since (datetime.datetime | Unset): Since when every delivery failed.
    """

    id: int
    url_origin: str
    description: str
    event_types: list[str]
    enabled: bool
    ordered: bool
    header_names: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    business_number: str | Unset = UNSET
    team_id: int | Unset = UNSET
    disabled_reason: str | Unset = UNSET
    rate_per_second: int | Unset = UNSET
    previous_secret_until: datetime.datetime | Unset = UNSET
    failing_since: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        url_origin = self.url_origin

        description = self.description

        event_types = self.event_types

        enabled = self.enabled

        ordered = self.ordered

        header_names = self.header_names

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        business_number = self.business_number

        team_id = self.team_id

        disabled_reason = self.disabled_reason

        rate_per_second = self.rate_per_second

        previous_secret_until: str | Unset = UNSET
        if not isinstance(self.previous_secret_until, Unset):
            previous_secret_until = self.previous_secret_until.isoformat()

        failing_since: str | Unset = UNSET
        if not isinstance(self.failing_since, Unset):
            failing_since = self.failing_since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "url_origin": url_origin,
                "description": description,
                "event_types": event_types,
                "enabled": enabled,
                "ordered": ordered,
                "header_names": header_names,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if business_number is not UNSET:
            field_dict["business_number"] = business_number
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if rate_per_second is not UNSET:
            field_dict["rate_per_second"] = rate_per_second
        if previous_secret_until is not UNSET:
            field_dict["previous_secret_until"] = previous_secret_until
        if failing_since is not UNSET:
            field_dict["failing_since"] = failing_since

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        url_origin = d.pop("url_origin")

        description = d.pop("description")

        event_types = cast(list[str], d.pop("event_types"))

        enabled = d.pop("enabled")

        ordered = d.pop("ordered")

        header_names = cast(list[str], d.pop("header_names"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        business_number = d.pop("business_number", UNSET)

        team_id = d.pop("team_id", UNSET)

        disabled_reason = d.pop("disabled_reason", UNSET)

        rate_per_second = d.pop("rate_per_second", UNSET)

        _previous_secret_until = d.pop("previous_secret_until", UNSET)
        previous_secret_until: datetime.datetime | Unset
        if isinstance(_previous_secret_until, Unset):
            previous_secret_until = UNSET
        else:
            previous_secret_until = datetime.datetime.fromisoformat(
                _previous_secret_until
            )

        _failing_since = d.pop("failing_since", UNSET)
        failing_since: datetime.datetime | Unset
        if isinstance(_failing_since, Unset):
            failing_since = UNSET
        else:
            failing_since = datetime.datetime.fromisoformat(_failing_since)

        webhook_out = cls(
            id=id,
            url_origin=url_origin,
            description=description,
            event_types=event_types,
            enabled=enabled,
            ordered=ordered,
            header_names=header_names,
            created_at=created_at,
            updated_at=updated_at,
            business_number=business_number,
            team_id=team_id,
            disabled_reason=disabled_reason,
            rate_per_second=rate_per_second,
            previous_secret_until=previous_secret_until,
            failing_since=failing_since,
        )

        webhook_out.additional_properties = d
        return webhook_out

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
