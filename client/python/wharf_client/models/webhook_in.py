from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_in_headers import WebhookInHeaders


T = TypeVar("T", bound="WebhookIn")


@_attrs_define
class WebhookIn:
    """A new endpoint.

    Attributes:
        url (str): Where events are POSTed: `https://…` (plain `http://` only to a
            loopback address).
        description (str | Unset):
        event_types (list[str] | Unset): Event types delivered (see `/webhooks/event-types`); empty or
            absent: all.
        business_number (str | Unset): Only events of this business number (phone number id).
        team_id (int | Unset): Only events of conversations of this team (events naming no team,
            such as delivery statuses, are delivered too).
        ordered (bool | Unset): Deliver one event at a time, in order (default true).
        rate_per_second (int | Unset): At most this many deliveries a second.
        headers (WebhookInHeaders | Unset): Extra request headers (e.g. an `Authorization` the receiver wants).
    """

    url: str
    description: str | Unset = UNSET
    event_types: list[str] | Unset = UNSET
    business_number: str | Unset = UNSET
    team_id: int | Unset = UNSET
    ordered: bool | Unset = UNSET
    rate_per_second: int | Unset = UNSET
    headers: WebhookInHeaders | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        description = self.description

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types

        business_number = self.business_number

        team_id = self.team_id

        ordered = self.ordered

        rate_per_second = self.rate_per_second

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if business_number is not UNSET:
            field_dict["business_number"] = business_number
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if ordered is not UNSET:
            field_dict["ordered"] = ordered
        if rate_per_second is not UNSET:
            field_dict["rate_per_second"] = rate_per_second
        if headers is not UNSET:
            field_dict["headers"] = headers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_in_headers import WebhookInHeaders

        d = dict(src_dict)
        url = d.pop("url")

        description = d.pop("description", UNSET)

        event_types = cast(list[str], d.pop("event_types", UNSET))

        business_number = d.pop("business_number", UNSET)

        team_id = d.pop("team_id", UNSET)

        ordered = d.pop("ordered", UNSET)

        rate_per_second = d.pop("rate_per_second", UNSET)

        _headers = d.pop("headers", UNSET)
        headers: WebhookInHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = WebhookInHeaders.from_dict(_headers)

        webhook_in = cls(
            url=url,
            description=description,
            event_types=event_types,
            business_number=business_number,
            team_id=team_id,
            ordered=ordered,
            rate_per_second=rate_per_second,
            headers=headers,
        )

        webhook_in.additional_properties = d
        return webhook_in

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
