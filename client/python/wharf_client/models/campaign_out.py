from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.campaign_counts_out import CampaignCountsOut
    from ..models.hours import Hours


T = TypeVar("T", bound="CampaignOut")


@_attrs_define
class CampaignOut:
    """A campaign.

    Attributes:
        id (int):
        name (str):
        business_number_id (int):
        template_name (str):
        template_language (str):
        parameters (list[str]):
        audience (Any): The audience as given (a CSV's text is not repeated: `csv_rows`).
        state (str): draft, scheduled, running, paused, completed or cancelled.
        throttled_count (int): Sends the provider throttled (each slowed the campaign down).
        version (int):
        counts (CampaignCountsOut): Where a campaign stands, by recipient.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        scheduled_at (datetime.datetime | Unset):
        rate_per_second (float | Unset):
        send_window (Hours | Unset): Hours: from `from` to `to` local time on `days` in `time_zone` (a
            campaign's send window, a team's business hours).
        window_open (bool | Unset): With a send window: whether messages may be made now (a running
            campaign outside its window waits).
        paused_by (str | Unset): `agent` or `wharf`, when paused.
        paused_reason (str | Unset):
        last_throttled_at (datetime.datetime | Unset):
        started_at (datetime.datetime | Unset):
        finished_at (datetime.datetime | Unset):
    """

    id: int
    name: str
    business_number_id: int
    template_name: str
    template_language: str
    parameters: list[str]
    audience: Any
    state: str
    throttled_count: int
    version: int
    counts: CampaignCountsOut
    created_at: datetime.datetime
    updated_at: datetime.datetime
    scheduled_at: datetime.datetime | Unset = UNSET
    rate_per_second: float | Unset = UNSET
    send_window: Hours | Unset = UNSET
    window_open: bool | Unset = UNSET
    paused_by: str | Unset = UNSET
    paused_reason: str | Unset = UNSET
    last_throttled_at: datetime.datetime | Unset = UNSET
    started_at: datetime.datetime | Unset = UNSET
    finished_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        business_number_id = self.business_number_id

        template_name = self.template_name

        template_language = self.template_language

        parameters = self.parameters

        audience = self.audience

        state = self.state

        throttled_count = self.throttled_count

        version = self.version

        counts = self.counts.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        scheduled_at: str | Unset = UNSET
        if not isinstance(self.scheduled_at, Unset):
            scheduled_at = self.scheduled_at.isoformat()

        rate_per_second = self.rate_per_second

        send_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.send_window, Unset):
            send_window = self.send_window.to_dict()

        window_open = self.window_open

        paused_by = self.paused_by

        paused_reason = self.paused_reason

        last_throttled_at: str | Unset = UNSET
        if not isinstance(self.last_throttled_at, Unset):
            last_throttled_at = self.last_throttled_at.isoformat()

        started_at: str | Unset = UNSET
        if not isinstance(self.started_at, Unset):
            started_at = self.started_at.isoformat()

        finished_at: str | Unset = UNSET
        if not isinstance(self.finished_at, Unset):
            finished_at = self.finished_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "business_number_id": business_number_id,
                "template_name": template_name,
                "template_language": template_language,
                "parameters": parameters,
                "audience": audience,
                "state": state,
                "throttled_count": throttled_count,
                "version": version,
                "counts": counts,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if scheduled_at is not UNSET:
            field_dict["scheduled_at"] = scheduled_at
        if rate_per_second is not UNSET:
            field_dict["rate_per_second"] = rate_per_second
        if send_window is not UNSET:
            field_dict["send_window"] = send_window
        if window_open is not UNSET:
            field_dict["window_open"] = window_open
        if paused_by is not UNSET:
            field_dict["paused_by"] = paused_by
        if paused_reason is not UNSET:
            field_dict["paused_reason"] = paused_reason
        if last_throttled_at is not UNSET:
            field_dict["last_throttled_at"] = last_throttled_at
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.campaign_counts_out import CampaignCountsOut
        from ..models.hours import Hours

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        business_number_id = d.pop("business_number_id")

        template_name = d.pop("template_name")

        template_language = d.pop("template_language")

        parameters = cast(list[str], d.pop("parameters"))

        audience = d.pop("audience")

        state = d.pop("state")

        throttled_count = d.pop("throttled_count")

        version = d.pop("version")

        counts = CampaignCountsOut.from_dict(d.pop("counts"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _scheduled_at = d.pop("scheduled_at", UNSET)
        scheduled_at: datetime.datetime | Unset
        if isinstance(_scheduled_at, Unset):
            scheduled_at = UNSET
        else:
            scheduled_at = datetime.datetime.fromisoformat(_scheduled_at)

        rate_per_second = d.pop("rate_per_second", UNSET)

        _send_window = d.pop("send_window", UNSET)
        send_window: Hours | Unset
        if isinstance(_send_window, Unset):
            send_window = UNSET
        else:
            send_window = Hours.from_dict(_send_window)

        window_open = d.pop("window_open", UNSET)

        paused_by = d.pop("paused_by", UNSET)

        paused_reason = d.pop("paused_reason", UNSET)

        _last_throttled_at = d.pop("last_throttled_at", UNSET)
        last_throttled_at: datetime.datetime | Unset
        if isinstance(_last_throttled_at, Unset):
            last_throttled_at = UNSET
        else:
            last_throttled_at = datetime.datetime.fromisoformat(_last_throttled_at)

        _started_at = d.pop("started_at", UNSET)
        started_at: datetime.datetime | Unset
        if isinstance(_started_at, Unset):
            started_at = UNSET
        else:
            started_at = datetime.datetime.fromisoformat(_started_at)

        _finished_at = d.pop("finished_at", UNSET)
        finished_at: datetime.datetime | Unset
        if isinstance(_finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = datetime.datetime.fromisoformat(_finished_at)

        campaign_out = cls(
            id=id,
            name=name,
            business_number_id=business_number_id,
            template_name=template_name,
            template_language=template_language,
            parameters=parameters,
            audience=audience,
            state=state,
            throttled_count=throttled_count,
            version=version,
            counts=counts,
            created_at=created_at,
            updated_at=updated_at,
            scheduled_at=scheduled_at,
            rate_per_second=rate_per_second,
            send_window=send_window,
            window_open=window_open,
            paused_by=paused_by,
            paused_reason=paused_reason,
            last_throttled_at=last_throttled_at,
            started_at=started_at,
            finished_at=finished_at,
        )

        campaign_out.additional_properties = d
        return campaign_out

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
