"""Constants of the Benelux SMS integration: the names users and automations see."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "benelux_sms"
LOGGER = logging.getLogger(__package__)

CONF_PROVIDER: Final = "provider"
CONF_SENDER: Final = "sender"
CONF_BASE_URL: Final = "base_url"
CONF_TEST_MODE: Final = "test_mode"
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_WEBHOOK_SECRET: Final = "webhook_secret"  # noqa: S105 (a field name)

CONF_FALLBACK_ENTRY_ID: Final = "fallback_entry_id"
CONF_DAILY_SEGMENT_LIMIT: Final = "daily_segment_limit"
CONF_DUPLICATE_WINDOW: Final = "duplicate_window"
CONF_RECEIVE_REPLIES: Final = "receive_replies"
CONF_REPLIES_NUMBER: Final = "replies_number"
CONF_REPLIES_APP: Final = "replies_app"
CONF_CONFIRM_WITHIN: Final = "confirm_within"

SUBENTRY_RECIPIENT: Final = "recipient"
CONF_PHONE_NUMBER: Final = "phone_number"
CONF_ENCODING: Final = "encoding"

SERVICE_SEND_SMS: Final = "send_sms"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_SENDER: Final = "sender"
ATTR_ENCODING: Final = "encoding"
ATTR_BYPASS_LIMITS: Final = "bypass_limits"
ATTR_VALID_FOR: Final = "valid_for"
ATTR_REFERENCE: Final = "reference"
ATTR_VOICE: Final = "voice"
ATTR_VOICE_LANGUAGE: Final = "voice_language"
ATTR_CONFIRM_WITHIN: Final = "confirm_within"
ATTR_SEND_AT: Final = "send_at"

SERVICE_CANCEL_SCHEDULED: Final = "cancel_scheduled"
ATTR_SCHEDULE_ID: Final = "schedule_id"

CONF_HEARTBEAT_RECIPIENTS: Final = "heartbeat_recipients"
CONF_HEARTBEAT_MINUTES: Final = "heartbeat_minutes"
CONF_HEARTBEAT_MESSAGE: Final = "heartbeat_message"

CREDITS_UPDATE_INTERVAL: Final = timedelta(minutes=30)
REPORT_POLL_INTERVAL: Final = timedelta(minutes=1)

EVENT_DELIVERY_REPORT: Final = "benelux_sms_delivery_report"
EVENT_RECEIVED: Final = "benelux_sms_received"
EVENT_UNCONFIRMED: Final = "benelux_sms_unconfirmed"
