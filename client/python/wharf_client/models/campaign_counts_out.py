from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CampaignCountsOut")


@_attrs_define
class CampaignCountsOut:
    """Where a campaign stands, by recipient.

    Attributes:
        recipients (int):
        pending (int): Not reached yet.
        queued (int): Made, waiting for their send.
        sent (int):
        delivered (int):
        read (int):
        failed (int):
        skipped (int): Not sent to (opted out, a parameter without a value, …).
        cancelled (int):
        replied (int): Recipients who wrote to the number after their message.
    """

    recipients: int
    pending: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    skipped: int
    cancelled: int
    replied: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        recipients = self.recipients

        pending = self.pending

        queued = self.queued

        sent = self.sent

        delivered = self.delivered

        read = self.read

        failed = self.failed

        skipped = self.skipped

        cancelled = self.cancelled

        replied = self.replied

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "recipients": recipients,
                "pending": pending,
                "queued": queued,
                "sent": sent,
                "delivered": delivered,
                "read": read,
                "failed": failed,
                "skipped": skipped,
                "cancelled": cancelled,
                "replied": replied,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        recipients = d.pop("recipients")

        pending = d.pop("pending")

        queued = d.pop("queued")

        sent = d.pop("sent")

        delivered = d.pop("delivered")

        read = d.pop("read")

        failed = d.pop("failed")

        skipped = d.pop("skipped")

        cancelled = d.pop("cancelled")

        replied = d.pop("replied")

        campaign_counts_out = cls(
            recipients=recipients,
            pending=pending,
            queued=queued,
            sent=sent,
            delivered=delivered,
            read=read,
            failed=failed,
            skipped=skipped,
            cancelled=cancelled,
            replied=replied,
        )

        campaign_counts_out.additional_properties = d
        return campaign_counts_out

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
