"""Contains all the data models used in inputs/outputs"""

from .account_event_out import AccountEventOut
from .activity import Activity
from .activity_in import ActivityIn
from .agent_in import AgentIn
from .agent_out import AgentOut
from .agent_patch import AgentPatch
from .agent_role import AgentRole
from .agent_summary_out import AgentSummaryOut
from .alert_event import AlertEvent
from .alert_out import AlertOut
from .alert_state import AlertState
from .alerts_out import AlertsOut
from .apply_label_in import ApplyLabelIn
from .assignment_strategy import AssignmentStrategy
from .attempt_out import AttemptOut
from .audience_in import AudienceIn
from .audit_entry_out import AuditEntryOut
from .audit_page_out import AuditPageOut
from .bot_behaviour import BotBehaviour
from .bot_reply import BotReply
from .bulk_action import BulkAction
from .bulk_in import BulkIn
from .bulk_item_in import BulkItemIn
from .bulk_out import BulkOut
from .bulk_row_out import BulkRowOut
from .bulk_row_out_conversation import BulkRowOutConversation
from .business_hours import BusinessHours
from .campaign_action_in import CampaignActionIn
from .campaign_counts_out import CampaignCountsOut
from .campaign_in import CampaignIn
from .campaign_in_send_window import CampaignInSendWindow
from .campaign_out import CampaignOut
from .campaign_patch import CampaignPatch
from .campaign_patch_send_window import CampaignPatchSendWindow
from .campaign_start_in import CampaignStartIn
from .canned_response_in import CannedResponseIn
from .canned_response_out import CannedResponseOut
from .canned_response_patch import CannedResponsePatch
from .claim_in import ClaimIn
from .clock import Clock
from .consumer_stats_out import ConsumerStatsOut
from .contact_data import ContactData
from .contact_detail_out import ContactDetailOut
from .contact_out import ContactOut
from .contact_patch import ContactPatch
from .contact_updated import ContactUpdated
from .conversation_data import ConversationData
from .conversation_detail_out import ConversationDetailOut
from .conversation_event import ConversationEvent
from .conversation_out import ConversationOut
from .conversation_out_csat import ConversationOutCsat
from .conversation_out_last_message import ConversationOutLastMessage
from .conversation_out_matched_message import ConversationOutMatchedMessage
from .conversation_out_sla import ConversationOutSla
from .conversation_page_out import ConversationPageOut
from .conversation_sort import ConversationSort
from .csat_out import CsatOut
from .csat_settings_in import CsatSettingsIn
from .csat_settings_out import CsatSettingsOut
from .dead_letter_created import DeadLetterCreated
from .dead_letter_data import DeadLetterData
from .dead_letter_detail_out import DeadLetterDetailOut
from .dead_letter_out import DeadLetterOut
from .dead_letter_page_out import DeadLetterPageOut
from .delivery_stats_out import DeliveryStatsOut
from .dlq_replay_in import DlqReplayIn
from .dlq_replay_out import DlqReplayOut
from .dry_run_in import DryRunIn
from .dry_run_out import DryRunOut
from .dry_run_out_outcome import DryRunOutOutcome
from .dry_run_out_rule import DryRunOutRule
from .dry_run_outcome import DryRunOutcome
from .dry_run_outcome_type import DryRunOutcomeType
from .error_out import ErrorOut
from .event_catalog_out import EventCatalogOut
from .event_type_out import EventTypeOut
from .handoff_in import HandoffIn
from .header_out import HeaderOut
from .heartbeat_in import HeartbeatIn
from .heartbeat_out import HeartbeatOut
from .hours import Hours
from .ingest_stats_out import IngestStatsOut
from .label_in import LabelIn
from .label_out import LabelOut
from .label_patch import LabelPatch
from .live_event_out import LiveEventOut
from .login_in import LoginIn
from .login_out import LoginOut
from .me_out import MeOut
from .me_out_agent import MeOutAgent
from .media_in import MediaIn
from .media_kind_in import MediaKindIn
from .media_out import MediaOut
from .message_lifecycle_out import MessageLifecycleOut
from .message_out import MessageOut
from .message_out_media import MessageOutMedia
from .message_preview_out import MessagePreviewOut
from .message_received import MessageReceived
from .message_status import MessageStatus
from .note_in import NoteIn
from .note_out import NoteOut
from .number_in import NumberIn
from .number_out import NumberOut
from .number_out_csat import NumberOutCsat
from .number_patch import NumberPatch
from .number_status import NumberStatus
from .number_update import NumberUpdate
from .presence_in import PresenceIn
from .presence_out import PresenceOut
from .provider import Provider
from .read_in import ReadIn
from .read_out import ReadOut
from .received_contact import ReceivedContact
from .received_message import ReceivedMessage
from .recipient_out import RecipientOut
from .recipient_page_out import RecipientPageOut
from .recover_in import RecoverIn
from .recover_out import RecoverOut
from .reply_in import ReplyIn
from .report_group_by import ReportGroupBy
from .resend_in import ResendIn
from .rotate_in import RotateIn
from .rotated_out import RotatedOut
from .rule_action import RuleAction
from .rule_action_bot import RuleActionBot
from .rule_action_type import RuleActionType
from .rule_conditions import RuleConditions
from .rule_in import RuleIn
from .rule_in_conditions import RuleInConditions
from .rule_order_in import RuleOrderIn
from .rule_out import RuleOut
from .rule_patch import RulePatch
from .send_attachment_files_body import SendAttachmentFilesBody
from .sla_clock_out import SlaClockOut
from .sla_figures_out import SlaFiguresOut
from .sla_out import SlaOut
from .sla_policy_in import SlaPolicyIn
from .sla_policy_out import SlaPolicyOut
from .snooze_in import SnoozeIn
from .snooze_out import SnoozeOut
from .spread_out import SpreadOut
from .stage_out import StageOut
from .stats_out import StatsOut
from .stats_out_ingest import StatsOutIngest
from .status_count_out import StatusCountOut
from .stream_stats_out import StreamStatsOut
from .support_figures_out import SupportFiguresOut
from .support_figures_out_first_response import SupportFiguresOutFirstResponse
from .support_figures_out_handoff import SupportFiguresOutHandoff
from .support_figures_out_next_response import SupportFiguresOutNextResponse
from .support_figures_out_resolution import SupportFiguresOutResolution
from .support_figures_out_sla import SupportFiguresOutSla
from .support_group_out import SupportGroupOut
from .support_group_out_first_response import SupportGroupOutFirstResponse
from .support_group_out_handoff import SupportGroupOutHandoff
from .support_group_out_next_response import SupportGroupOutNextResponse
from .support_group_out_resolution import SupportGroupOutResolution
from .support_group_out_sla import SupportGroupOutSla
from .support_report_out import SupportReportOut
from .support_report_out_total import SupportReportOutTotal
from .system_info_out import SystemInfoOut
from .team_in import TeamIn
from .team_in_business_hours import TeamInBusinessHours
from .team_out import TeamOut
from .team_out_business_hours import TeamOutBusinessHours
from .team_patch import TeamPatch
from .team_patch_business_hours import TeamPatchBusinessHours
from .template_in import TemplateIn
from .template_out import TemplateOut
from .template_sync_out import TemplateSyncOut
from .token_created_out import TokenCreatedOut
from .token_in import TokenIn
from .token_out import TokenOut
from .transfer_in import TransferIn
from .version_in import VersionIn
from .webhook_created_out import WebhookCreatedOut
from .webhook_event_alert_event import WebhookEventAlertEvent
from .webhook_event_contact_updated import WebhookEventContactUpdated
from .webhook_event_conversation_event import WebhookEventConversationEvent
from .webhook_event_dead_letter_created import WebhookEventDeadLetterCreated
from .webhook_event_message_received import WebhookEventMessageReceived
from .webhook_event_message_status import WebhookEventMessageStatus
from .webhook_event_number_status import WebhookEventNumberStatus
from .webhook_in import WebhookIn
from .webhook_in_headers import WebhookInHeaders
from .webhook_out import WebhookOut
from .webhook_patch import WebhookPatch
from .webhook_patch_headers import WebhookPatchHeaders

__all__ = (
    "AccountEventOut",
    "Activity",
    "ActivityIn",
    "AgentIn",
    "AgentOut",
    "AgentPatch",
    "AgentRole",
    "AgentSummaryOut",
    "AlertEvent",
    "AlertOut",
    "AlertState",
    "AlertsOut",
    "ApplyLabelIn",
    "AssignmentStrategy",
    "AttemptOut",
    "AudienceIn",
    "AuditEntryOut",
    "AuditPageOut",
    "BotBehaviour",
    "BotReply",
    "BulkAction",
    "BulkIn",
    "BulkItemIn",
    "BulkOut",
    "BulkRowOut",
    "BulkRowOutConversation",
    "BusinessHours",
    "CampaignActionIn",
    "CampaignCountsOut",
    "CampaignIn",
    "CampaignInSendWindow",
    "CampaignOut",
    "CampaignPatch",
    "CampaignPatchSendWindow",
    "CampaignStartIn",
    "CannedResponseIn",
    "CannedResponseOut",
    "CannedResponsePatch",
    "ClaimIn",
    "Clock",
    "ConsumerStatsOut",
    "ContactData",
    "ContactDetailOut",
    "ContactOut",
    "ContactPatch",
    "ContactUpdated",
    "ConversationData",
    "ConversationDetailOut",
    "ConversationEvent",
    "ConversationOut",
    "ConversationOutCsat",
    "ConversationOutLastMessage",
    "ConversationOutMatchedMessage",
    "ConversationOutSla",
    "ConversationPageOut",
    "ConversationSort",
    "CsatOut",
    "CsatSettingsIn",
    "CsatSettingsOut",
    "DeadLetterCreated",
    "DeadLetterData",
    "DeadLetterDetailOut",
    "DeadLetterOut",
    "DeadLetterPageOut",
    "DeliveryStatsOut",
    "DlqReplayIn",
    "DlqReplayOut",
    "DryRunIn",
    "DryRunOut",
    "DryRunOutOutcome",
    "DryRunOutRule",
    "DryRunOutcome",
    "DryRunOutcomeType",
    "ErrorOut",
    "EventCatalogOut",
    "EventTypeOut",
    "HandoffIn",
    "HeaderOut",
    "HeartbeatIn",
    "HeartbeatOut",
    "Hours",
    "IngestStatsOut",
    "LabelIn",
    "LabelOut",
    "LabelPatch",
    "LiveEventOut",
    "LoginIn",
    "LoginOut",
    "MeOut",
    "MeOutAgent",
    "MediaIn",
    "MediaKindIn",
    "MediaOut",
    "MessageLifecycleOut",
    "MessageOut",
    "MessageOutMedia",
    "MessagePreviewOut",
    "MessageReceived",
    "MessageStatus",
    "NoteIn",
    "NoteOut",
    "NumberIn",
    "NumberOut",
    "NumberOutCsat",
    "NumberPatch",
    "NumberStatus",
    "NumberUpdate",
    "PresenceIn",
    "PresenceOut",
    "Provider",
    "ReadIn",
    "ReadOut",
    "ReceivedContact",
    "ReceivedMessage",
    "RecipientOut",
    "RecipientPageOut",
    "RecoverIn",
    "RecoverOut",
    "ReplyIn",
    "ReportGroupBy",
    "ResendIn",
    "RotateIn",
    "RotatedOut",
    "RuleAction",
    "RuleActionBot",
    "RuleActionType",
    "RuleConditions",
    "RuleIn",
    "RuleInConditions",
    "RuleOrderIn",
    "RuleOut",
    "RulePatch",
    "SendAttachmentFilesBody",
    "SlaClockOut",
    "SlaFiguresOut",
    "SlaOut",
    "SlaPolicyIn",
    "SlaPolicyOut",
    "SnoozeIn",
    "SnoozeOut",
    "SpreadOut",
    "StageOut",
    "StatsOut",
    "StatsOutIngest",
    "StatusCountOut",
    "StreamStatsOut",
    "SupportFiguresOut",
    "SupportFiguresOutFirstResponse",
    "SupportFiguresOutHandoff",
    "SupportFiguresOutNextResponse",
    "SupportFiguresOutResolution",
    "SupportFiguresOutSla",
    "SupportGroupOut",
    "SupportGroupOutFirstResponse",
    "SupportGroupOutHandoff",
    "SupportGroupOutNextResponse",
    "SupportGroupOutResolution",
    "SupportGroupOutSla",
    "SupportReportOut",
    "SupportReportOutTotal",
    "SystemInfoOut",
    "TeamIn",
    "TeamInBusinessHours",
    "TeamOut",
    "TeamOutBusinessHours",
    "TeamPatch",
    "TeamPatchBusinessHours",
    "TemplateIn",
    "TemplateOut",
    "TemplateSyncOut",
    "TokenCreatedOut",
    "TokenIn",
    "TokenOut",
    "TransferIn",
    "VersionIn",
    "WebhookCreatedOut",
    "WebhookEventAlertEvent",
    "WebhookEventContactUpdated",
    "WebhookEventConversationEvent",
    "WebhookEventDeadLetterCreated",
    "WebhookEventMessageReceived",
    "WebhookEventMessageStatus",
    "WebhookEventNumberStatus",
    "WebhookIn",
    "WebhookInHeaders",
    "WebhookOut",
    "WebhookPatch",
    "WebhookPatchHeaders",
)
