from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider import Provider
from ..types import UNSET, Unset

T = TypeVar("T", bound="NumberIn")


@_attrs_define
class NumberIn:
    """A new business number.

    Attributes:
        provider (Provider): A provider a number speaks through.
        phone_number_id (str):
        name (str):
        app_secret (str): Write-only.
        display_phone (str | Unset):  Default: ''.
        verify_token (str | Unset): Write-only. Default: ''.
        access_token (str | Unset): Write-only.
        api_base_url (str | Unset):
    """

    provider: Provider
    phone_number_id: str
    name: str
    app_secret: str
    display_phone: str | Unset = ""
    verify_token: str | Unset = ""
    access_token: str | Unset = UNSET
    api_base_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider.value

        phone_number_id = self.phone_number_id

        name = self.name

        app_secret = self.app_secret

        display_phone = self.display_phone

        verify_token = self.verify_token

        access_token = self.access_token

        api_base_url = self.api_base_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider": provider,
                "phone_number_id": phone_number_id,
                "name": name,
                "app_secret": app_secret,
            }
        )
        if display_phone is not UNSET:
            field_dict["display_phone"] = display_phone
        if verify_token is not UNSET:
            field_dict["verify_token"] = verify_token
        if access_token is not UNSET:
            field_dict["access_token"] = access_token
        if api_base_url is not UNSET:
            field_dict["api_base_url"] = api_base_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        provider = Provider(d.pop("provider"))

        phone_number_id = d.pop("phone_number_id")

        name = d.pop("name")

        app_secret = d.pop("app_secret")

        display_phone = d.pop("display_phone", UNSET)

        verify_token = d.pop("verify_token", UNSET)

        access_token = d.pop("access_token", UNSET)

        api_base_url = d.pop("api_base_url", UNSET)

        number_in = cls(
            provider=provider,
            phone_number_id=phone_number_id,
            name=name,
            app_secret=app_secret,
            display_phone=display_phone,
            verify_token=verify_token,
            access_token=access_token,
            api_base_url=api_base_url,
        )

        number_in.additional_properties = d
        return number_in

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
