from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audience_in import AudienceIn
    from ..models.campaign_in_send_window import CampaignInSendWindow


T = TypeVar("T", bound="CampaignIn")


@_attrs_define
class CampaignIn:
    """A new campaign (a draft).

    Attributes:
        name (str):
        business_number_id (int):
        template_name (str): An approved template of the number's account.
        template_language (str):
        audience (AudienceIn): Who a campaign goes to: exactly one of `label_id`, `contact_ids`, `csv`,
            `all` (optionally narrowed by `tier` and `language`).
        parameters (list[str] | Unset): The template's body parameters in order; each may hold
            `{{contact.…}}` and `{{csv.<column>}}` placeholders, filled per
            recipient (a recipient missing a value is skipped with the reason).
        rate_per_second (float | Unset): Sends per second at most; absent: what the number's limit leaves
            after support replies.
        send_window (CampaignInSendWindow | Unset): Hours in which messages may be made (the audience's business
            hours); absent: any time.
    """

    name: str
    business_number_id: int
    template_name: str
    template_language: str
    audience: AudienceIn
    parameters: list[str] | Unset = UNSET
    rate_per_second: float | Unset = UNSET
    send_window: CampaignInSendWindow | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        business_number_id = self.business_number_id

        template_name = self.template_name

        template_language = self.template_language

        audience = self.audience.to_dict()

        parameters: list[str] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters

        rate_per_second = self.rate_per_second

        send_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.send_window, Unset):
            send_window = self.send_window.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "business_number_id": business_number_id,
                "template_name": template_name,
                "template_language": template_language,
                "audience": audience,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if rate_per_second is not UNSET:
            field_dict["rate_per_second"] = rate_per_second
        if send_window is not UNSET:
            field_dict["send_window"] = send_window

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audience_in import AudienceIn
        from ..models.campaign_in_send_window import CampaignInSendWindow

        d = dict(src_dict)
        name = d.pop("name")

        business_number_id = d.pop("business_number_id")

        template_name = d.pop("template_name")

        template_language = d.pop("template_language")

        audience = AudienceIn.from_dict(d.pop("audience"))

        parameters = cast(list[str], d.pop("parameters", UNSET))

        rate_per_second = d.pop("rate_per_second", UNSET)

        _send_window = d.pop("send_window", UNSET)
        send_window: CampaignInSendWindow | Unset
        if isinstance(_send_window, Unset):
            send_window = UNSET
        else:
            send_window = CampaignInSendWindow.from_dict(_send_window)

        campaign_in = cls(
            name=name,
            business_number_id=business_number_id,
            template_name=template_name,
            template_language=template_language,
            audience=audience,
            parameters=parameters,
            rate_per_second=rate_per_second,
            send_window=send_window,
        )

        campaign_in.additional_properties = d
        return campaign_in

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
