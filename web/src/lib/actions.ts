// Which state changes an agent may start from a conversation's status
// (the API has the last word: a stale version is a 409).

export type ConversationAction = 'claim' | 'resolve' | 'reopen';

export const ACTION_LABEL: Record<ConversationAction, string> = {
  claim: 'Claim',
  resolve: 'Resolve',
  reopen: 'Reopen',
};

/** The actions offered for `status`; claiming needs a signed-in agent. */
export function availableActions(status: string, isAgent: boolean): ConversationAction[] {
  switch (status) {
    case 'queued':
    case 'bot':
      return isAgent ? ['claim'] : [];
    case 'assigned':
    case 'pending':
      return ['resolve'];
    case 'resolved':
      return ['reopen'];
    default:
      return [];
  }
}

/** What to tell the agent when the API answered 409 to `action`. */
export function conflictMessage(action: ConversationAction): string {
  return action === 'claim'
    ? 'Someone else got there first: this conversation changed before your claim. It has been reloaded.'
    : `This conversation changed before you could ${ACTION_LABEL[action].toLowerCase()} it. It has been reloaded; check it and try again.`;
}
