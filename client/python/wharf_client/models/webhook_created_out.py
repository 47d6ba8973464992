from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.webhook_out import WebhookOut


T = TypeVar("T", bound="WebhookCreatedOut")


@_attrs_define
class WebhookCreatedOut:
    """A created endpoint and its signing secret, shown this once.

    Attributes:
        webhook (WebhookOut): An endpoint, without its URL, secret and header values.
        secret (str): `whsec_…`: verify `webhook-signature` with it (Standard Webhooks).
    """

    webhook: WebhookOut
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook = self.webhook.to_dict()

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook": webhook,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_out import WebhookOut

        d = dict(src_dict)
        webhook = WebhookOut.from_dict(d.pop("webhook"))

        secret = d.pop("secret")

        webhook_created_out = cls(
            webhook=webhook,
            secret=secret,
        )

        webhook_created_out.additional_properties = d
        return webhook_created_out

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
