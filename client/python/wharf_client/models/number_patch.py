from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NumberPatch")


@_attrs_define
class NumberPatch:
    """Changes to a business number; absent fields stay as they are.

    Attributes:
        display_phone (str | Unset):
        name (str | Unset):
        app_secret (str | Unset): Write-only.
        verify_token (str | Unset): Write-only.
        access_token (str | Unset): Write-only.
        api_base_url (str | Unset):
        waba_id (str | Unset): The WhatsApp Business Account id that owns the number.
    """

    display_phone: str | Unset = UNSET
    name: str | Unset = UNSET
    app_secret: str | Unset = UNSET
    verify_token: str | Unset = UNSET
    access_token: str | Unset = UNSET
    api_base_url: str | Unset = UNSET
    waba_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_phone = self.display_phone

        name = self.name

        app_secret = self.app_secret

        verify_token = self.verify_token

        access_token = self.access_token

        api_base_url = self.api_base_url

        waba_id = self.waba_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if display_phone is not UNSET:
            field_dict["display_phone"] = display_phone
        if name is not UNSET:
            field_dict["name"] = name
        if app_secret is not UNSET:
            field_dict["app_secret"] = app_secret
        if verify_token is not UNSET:
            field_dict["verify_token"] = verify_token
        if access_token is not UNSET:
            field_dict["access_token"] = access_token
        if api_base_url is not UNSET:
            field_dict["api_base_url"] = api_base_url
        if waba_id is not UNSET:
            field_dict["waba_id"] = waba_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        display_phone = d.pop("display_phone", UNSET)

        name = d.pop("name", UNSET)

        app_secret = d.pop("app_secret", UNSET)

        verify_token = d.pop("verify_token", UNSET)

        access_token = d.pop("access_token", UNSET)

        api_base_url = d.pop("api_base_url", UNSET)

        waba_id = d.pop("waba_id", UNSET)

        number_patch = cls(
            display_phone=display_phone,
            name=name,
            app_secret=app_secret,
            verify_token=verify_token,
            access_token=access_token,
            api_base_url=api_base_url,
            waba_id=waba_id,
        )

        number_patch.additional_properties = d
        return number_patch

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
