from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.agent_summary_out import AgentSummaryOut


T = TypeVar("T", bound="LoginOut")


@_attrs_define
class LoginOut:
    """A new session.

    Attributes:
        token (str): Bearer token; shown once.
        agent (AgentSummaryOut): An agent, as the caller sees itself.
    """

    token: str
    agent: AgentSummaryOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        agent = self.agent.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "agent": agent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.agent_summary_out import AgentSummaryOut

        d = dict(src_dict)
        token = d.pop("token")

        agent = AgentSummaryOut.from_dict(d.pop("agent"))

        login_out = cls(
            token=token,
            agent=agent,
        )

        login_out.additional_properties = d
        return login_out

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
