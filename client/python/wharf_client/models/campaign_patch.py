from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.campaign_patch_send_window import CampaignPatchSendWindow


T = TypeVar("T", bound="CampaignPatch")


@_attrs_define
class CampaignPatch:
    """Changes to a draft or scheduled campaign; absent fields stay.

    Attributes:
        version (int): The version read: a stale one is a 409.
        name (str | Unset):
        rate_per_second (float | Unset):
        unlimited (bool | Unset): Back to "what the number's limit leaves".
        send_window (CampaignPatchSendWindow | Unset): A new send window (also while running).
        any_time (bool | Unset): `true`: no send window any more (any time).
    """

    version: int
    name: str | Unset = UNSET
    rate_per_second: float | Unset = UNSET
    unlimited: bool | Unset = UNSET
    send_window: CampaignPatchSendWindow | Unset = UNSET
    any_time: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        name = self.name

        rate_per_second = self.rate_per_second

        unlimited = self.unlimited

        send_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.send_window, Unset):
            send_window = self.send_window.to_dict()

        any_time = self.any_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if rate_per_second is not UNSET:
            field_dict["rate_per_second"] = rate_per_second
        if unlimited is not UNSET:
            field_dict["unlimited"] = unlimited
        if send_window is not UNSET:
            field_dict["send_window"] = send_window
        if any_time is not UNSET:
            field_dict["any_time"] = any_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.campaign_patch_send_window import CampaignPatchSendWindow

        d = dict(src_dict)
        version = d.pop("version")

        name = d.pop("name", UNSET)

        rate_per_second = d.pop("rate_per_second", UNSET)

        unlimited = d.pop("unlimited", UNSET)

        _send_window = d.pop("send_window", UNSET)
        send_window: CampaignPatchSendWindow | Unset
        if isinstance(_send_window, Unset):
            send_window = UNSET
        else:
            send_window = CampaignPatchSendWindow.from_dict(_send_window)

        any_time = d.pop("any_time", UNSET)

        campaign_patch = cls(
            version=version,
            name=name,
            rate_per_second=rate_per_second,
            unlimited=unlimited,
            send_window=send_window,
            any_time=any_time,
        )

        campaign_patch.additional_properties = d
        return campaign_patch

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
