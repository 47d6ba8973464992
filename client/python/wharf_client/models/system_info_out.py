from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SystemInfoOut")


@_attrs_define
class SystemInfoOut:
    """Version and the state of the dependencies.

    Attributes:
        version (str): Wharf version.
        database_backend (str): `sqlite` or `postgres`.
        nats_connected (bool): Whether this server's NATS connection is up.
    """

    version: str
    database_backend: str
    nats_connected: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        database_backend = self.database_backend

        nats_connected = self.nats_connected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "database_backend": database_backend,
                "nats_connected": nats_connected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        version = d.pop("version")

        database_backend = d.pop("database_backend")

        nats_connected = d.pop("nats_connected")

        system_info_out = cls(
            version=version,
            database_backend=database_backend,
            nats_connected=nats_connected,
        )

        system_info_out.additional_properties = d
        return system_info_out

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
