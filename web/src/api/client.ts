// The typed API client: openapi-fetch over the types generated from the
// committed spec (`npm run gen`). Adds the bearer token; never logs it.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Conversation = components['schemas']['ConversationOut'];
export type ConversationDetail = components['schemas']['ConversationDetailOut'];
export type Message = components['schemas']['MessageOut'];
export type ContactDetail = components['schemas']['ContactDetailOut'];
export type Agent = components['schemas']['AgentSummaryOut'];
export type Me = components['schemas']['MeOut'];
export type ApiError = components['schemas']['ErrorOut'];
export type LiveEvent = components['schemas']['LiveEventOut'];
export type NumberOut = components['schemas']['NumberOut'];
export type Label = components['schemas']['LabelOut'];
export type Stats = components['schemas']['StatsOut'];
export type AuditEntry = components['schemas']['AuditEntryOut'];
export type SystemInfo = components['schemas']['SystemInfoOut'];
export type Alert = components['schemas']['AlertOut'];
export type Alerts = components['schemas']['AlertsOut'];

export type Api = ReturnType<typeof createClient<paths>>;

/** A client that sends `token` as a bearer token and reports 401s. */
export function apiClient(token: string, onUnauthorized: () => void): Api {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** A client without credentials, for logging in. */
export function anonymousClient(): Api {
  return createClient<paths>({ baseUrl: window.location.origin });
}

/** The human-readable text of an API error (or of a network failure). */
export function errorText(error: unknown, fallback = 'Something went wrong'): string {
  if (error && typeof error === 'object' && 'detail' in error) {
    const detail = (error as ApiError).detail;
    if (detail) return detail;
  }
  if (error instanceof TypeError) return 'Cannot reach the Wharf server. Check your connection.';
  if (error instanceof Error) return error.message;
  return fallback;
}
