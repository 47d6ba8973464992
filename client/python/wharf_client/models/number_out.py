from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.number_out_csat import NumberOutCsat


T = TypeVar("T", bound="NumberOut")


@_attrs_define
class NumberOut:
    """A business number; secrets are never returned.

    Attributes:
        id (int):
        provider (str): meta, wasender or sandbox.
        phone_number_id (str): Meta phone number id, or WasenderApi session id.
        display_phone (str):
        name (str):
        has_app_secret (bool):
        has_verify_token (bool):
        has_access_token (bool):
        csat (NumberOutCsat): The customer-satisfaction question asked after each resolution.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        api_base_url (str | Unset): Send API base URL when not the provider's default.
        waba_id (str | Unset): The WhatsApp Business Account that owns it (learnt from its
            webhooks, or set here): account and template updates name it.
        account_status (str | Unset): The account's state from Meta's account updates: ok, restricted,
            violation, banned or disabled; absent until an update came.
        account_status_at (datetime.datetime | Unset):
        quality_rating (str | Unset): Meta's quality rating or messaging limit of the number.
        session_status (str | Unset): WasenderApi: the session's state from its last `session.status`
            event (connected, disconnected, need_scan, …); absent until one came.
            Replies cannot go out while it is not `connected`.
        session_status_at (datetime.datetime | Unset):
    """

    id: int
    provider: str
    phone_number_id: str
    display_phone: str
    name: str
    has_app_secret: bool
    has_verify_token: bool
    has_access_token: bool
    csat: NumberOutCsat
    created_at: datetime.datetime
    updated_at: datetime.datetime
    api_base_url: str | Unset = UNSET
    waba_id: str | Unset = UNSET
    account_status: str | Unset = UNSET
    account_status_at: datetime.datetime | Unset = UNSET
    quality_rating: str | Unset = UNSET
    session_status: str | Unset = UNSET
    session_status_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        provider = self.provider

        phone_number_id = self.phone_number_id

        display_phone = self.display_phone

        name = self.name

        has_app_secret = self.has_app_secret

        has_verify_token = self.has_verify_token

        has_access_token = self.has_access_token

        csat = self.csat.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        api_base_url = self.api_base_url

        waba_id = self.waba_id

        account_status = self.account_status

        account_status_at: str | Unset = UNSET
        if not isinstance(self.account_status_at, Unset):
            account_status_at = self.account_status_at.isoformat()

        quality_rating = self.quality_rating

        session_status = self.session_status

        session_status_at: str | Unset = UNSET
        if not isinstance(self.session_status_at, Unset):
            session_status_at = self.session_status_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "provider": provider,
                "phone_number_id": phone_number_id,
                "display_phone": display_phone,
                "name": name,
                "has_app_secret": has_app_secret,
                "has_verify_token": has_verify_token,
                "has_access_token": has_access_token,
                "csat": csat,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if api_base_url is not UNSET:
            field_dict["api_base_url"] = api_base_url
        if waba_id is not UNSET:
            field_dict["waba_id"] = waba_id
        if account_status is not UNSET:
            field_dict["account_status"] = account_status
        if account_status_at is not UNSET:
            field_dict["account_status_at"] = account_status_at
        if quality_rating is not UNSET:
            field_dict["quality_rating"] = quality_rating
        if session_status is not UNSET:
            field_dict["session_status"] = session_status
        if session_status_at is not UNSET:
            field_dict["session_status_at"] = session_status_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.number_out_csat import NumberOutCsat

        d = dict(src_dict)
        id = d.pop("id")

        provider = d.pop("provider")

        phone_number_id = d.pop("phone_number_id")

        display_phone = d.pop("display_phone")

        name = d.pop("name")

        has_app_secret = d.pop("has_app_secret")

        has_verify_token = d.pop("has_verify_token")

        has_access_token = d.pop("has_access_token")

        csat = NumberOutCsat.from_dict(d.pop("csat"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        api_base_url = d.pop("api_base_url", UNSET)

        waba_id = d.pop("waba_id", UNSET)

        account_status = d.pop("account_status", UNSET)

        _account_status_at = d.pop("account_status_at", UNSET)
        account_status_at: datetime.datetime | Unset
        if isinstance(_account_status_at, Unset):
            account_status_at = UNSET
        else:
            account_status_at = datetime.datetime.fromisoformat(_account_status_at)

        quality_rating = d.pop("quality_rating", UNSET)

        session_status = d.pop("session_status", UNSET)

        _session_status_at = d.pop("session_status_at", UNSET)
        session_status_at: datetime.datetime | Unset
        if isinstance(_session_status_at, Unset):
            session_status_at = UNSET
        else:
            session_status_at = datetime.datetime.fromisoformat(_session_status_at)

        number_out = cls(
            id=id,
            provider=provider,
            phone_number_id=phone_number_id,
            display_phone=display_phone,
            name=name,
            has_app_secret=has_app_secret,
            has_verify_token=has_verify_token,
            has_access_token=has_access_token,
            csat=csat,
            created_at=created_at,
            updated_at=updated_at,
            api_base_url=api_base_url,
            waba_id=waba_id,
            account_status=account_status,
            account_status_at=account_status_at,
            quality_rating=quality_rating,
            session_status=session_status,
            session_status_at=session_status_at,
        )

        number_out.additional_properties = d
        return number_out

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
