import { ClientApplication, Routes, type Client } from 'discord.js';

/**
 * The parts of discord.js's client that its gateway connection uses, for interactions that
 * arrive by HTTP instead: discord.js makes interactions only from gateway packets, and has no
 * public way to do it from a payload.
 */
interface GatewayInternals {
  /** What the gateway's INTERACTION_CREATE packet handler calls: builds the Interaction and emits Events.InteractionCreate. */
  actions: { InteractionCreate: { handle(payload: unknown): void } };
}

type ClientApplicationConstructor = new (client: Client, data: unknown) => ClientApplication;

/**
 * Makes a discord.js client ready for interactions without connecting to the gateway: the
 * token for REST, and the application, which READY would bring (interactions read it) and
 * which `GET /applications/@me` gives, checking the token as a login does.
 */
export async function startWithoutGateway(client: Client, token: string): Promise<ClientApplication> {
  client.rest.setToken(token);
  const data = await client.rest.get(Routes.currentApplication());
  const application = new (ClientApplication as unknown as ClientApplicationConstructor)(client, data);
  client.application = application;
  return application;
}

/** An interaction payload from Discord, handled as if the gateway had delivered it: the client emits it as Events.InteractionCreate. */
export function receiveInteraction(client: Client, payload: unknown): void {
  (client as unknown as GatewayInternals).actions.InteractionCreate.handle(payload);
}
