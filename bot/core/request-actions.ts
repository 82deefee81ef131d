import { styleName } from '../../shared/queue/contracts.js';
import { styleLabel } from '../../shared/styles.js';

/** What a button under a result does: run the same input again, in another style or the same. */
export type RequestAction = { type: 'restyle'; requestId: string; style: string } | { type: 'retry'; requestId: string };

export interface ActionButton {
  label: string;
  action: RequestAction;
}

const requestIdPattern = /^[\w-]{1,80}$/;

/**
 * Compact text form of an action, for platforms' button payloads (Telegram callback data
 * holds 64 bytes, Discord custom ids 100 characters).
 */
export function encodeAction(action: RequestAction): string {
  return action.type === 'restyle' ? `restyle:${action.requestId}:${action.style}` : `retry:${action.requestId}`;
}

/** The action of a button payload, or undefined for anything that is not one. */
export function decodeAction(data: string): RequestAction | undefined {
  const [type, requestId, style, ...rest] = data.split(':');
  if (rest.length || !requestId || !requestIdPattern.test(requestId)) return undefined;
  if (type === 'retry' && style === undefined) return { type, requestId };
  if (type === 'restyle' && style !== undefined && styleName.safeParse(style).success) return { type, requestId, style };
  return undefined;
}

/**
 * The buttons under a result: every other installed style. No "retry": the generators run
 * without randomness at inference (no noise input, no dropout), so the same photo gives the
 * same picture again; "retry" is offered under failures that may not happen twice.
 */
export function resultButtons(requestId: string, resultStyle: string, installedStyles: readonly string[]): ActionButton[] {
  return installedStyles.filter((style) => style !== resultStyle).map((style): ActionButton => ({ label: styleLabel(style), action: { type: 'restyle', requestId, style } }));
}
