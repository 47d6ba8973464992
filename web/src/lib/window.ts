// WhatsApp's customer-service window: free-form replies are allowed for 24 h
// after the customer's latest message; after that only templates.

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export type ReplyWindow =
  | { open: true; closesAt: Date; remainingMs: number }
  | { open: false; closedAt: Date | null };

/** Whether the window is open at `now`, given the customer's latest message time. */
export function replyWindow(lastInboundAt: string | undefined | null, now: Date = new Date()): ReplyWindow {
  if (!lastInboundAt) return { open: false, closedAt: null };
  const last = new Date(lastInboundAt).getTime();
  if (Number.isNaN(last)) return { open: false, closedAt: null };
  const closes = last + WINDOW_MS;
  const remainingMs = closes - now.getTime();
  return remainingMs > 0
    ? { open: true, closesAt: new Date(closes), remainingMs }
    : { open: false, closedAt: new Date(closes) };
}
