// The Wharf admin API client: openapi-fetch over the types openapi-typescript
// generates from the committed spec (`npm run gen` writes src/schema.ts from
// admin/openapi.json; `npm run check-gen` fails when they differ).
import createClient from 'openapi-fetch';
import type { components, operations, paths, webhooks } from './schema.js';

export type { components, operations, paths, webhooks };
export * from './webhooks.js';

type Schemas = components['schemas'];
export type Conversation = Schemas['ConversationOut'];
export type ConversationDetail = Schemas['ConversationDetailOut'];
export type Message = Schemas['MessageOut'];
export type ReplyIn = Schemas['ReplyIn'];
export type Stats = Schemas['StatsOut'];
export type WebhookIn = Schemas['WebhookIn'];
export type WebhookCreated = Schemas['WebhookCreatedOut'];
export type ApiError = Schemas['ErrorOut'];

/**
 * The typed body of each event Wharf POSTs, by event type (the spec's
 * `webhooks`): `WebhookEvents['message.received']['data'].message.text`.
 * `verifyWebhook` checks the signature and returns the untyped envelope;
 * narrow it on `type`.
 */
export type WebhookEvents = {
  [Type in keyof webhooks]: webhooks[Type]['post']['requestBody']['content']['application/json'];
};
export type MessageReceivedEvent = WebhookEvents['message.received'];

/** A typed client: `client.GET('/api/v1/conversations', …)` and so on, one path per operation. */
export type WharfClient = ReturnType<typeof createClient<paths>>;

/**
 * A client for the admin API at `baseUrl` (e.g. `http://127.0.0.1:8080`; the
 * paths carry `/api/v1`) that sends `token` as `Authorization: Bearer …`.
 */
export function createWharfClient(baseUrl: string, token: string, init: { fetch?: typeof fetch } = {}): WharfClient {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${token}` },
    ...(init.fetch ? { fetch: init.fetch } : {}),
  });
}
