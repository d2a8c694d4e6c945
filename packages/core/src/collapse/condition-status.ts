/** How one SLO condition came out on one window. */
export type ConditionStatus = 'held' | 'breached' | 'unjudged';

// Spread into a ConditionOutcome; `ok` stays for readers that only ask "did it hold?".
export const HELD = { status: 'held', ok: true } as const;
export const BREACHED = { status: 'breached', ok: false } as const;
export const UNJUDGED = { status: 'unjudged', ok: false } as const;
