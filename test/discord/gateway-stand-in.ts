import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** Gateway opcodes and close codes the stand-in speaks (discord.com/developers/docs/topics/opcodes-and-status-codes). */
const op = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, invalidSession: 9, hello: 10, heartbeatAck: 11 } as const;
const closeCode = { unknownOpcode: 4001, decodeError: 4002, notAuthenticated: 4003, authenticationFailed: 4004, alreadyAuthenticated: 4005, invalidApiVersion: 4012 } as const;

export const gatewayPath = '/gateway';

/** One client connection, as the stand-in saw it. */
export interface GatewaySession {
  /** The query string the client connected with (discord.js: v=10&encoding=json). */
  query: URLSearchParams;
  /** The IDENTIFY payload's `d`, once identified. */
  identify?: Record<string, unknown>;
  sessionId?: string;
  /** Heartbeats received (each answered with a HEARTBEAT_ACK). */
  heartbeats: number;
  closed: boolean;
  closeCode?: number;
  /** Sequence number of the last dispatch sent. */
  sequence: number;
  socket: WebSocket;
}

/**
 * The gateway half of the Discord stand-in: a WebSocket endpoint speaking the real protocol
 * with JSON encoding and no compression: HELLO with a heartbeat interval, IDENTIFY checked
 * against the bot token and answered with READY, HEARTBEAT answered with HEARTBEAT_ACK,
 * RESUME answered with INVALID_SESSION (sessions are not kept), and DISPATCH events sent
 * to the newest identified session.
 */
export class GatewayStandIn {
  readonly sessions: GatewaySession[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private nextSession = 1;

  constructor(
    private readonly options: {
      token: string;
      heartbeatIntervalMs: number;
      /** The READY payload's `d`, without session_id and resume_gateway_url. */
      readyData: () => Record<string, unknown>;
      url: () => string;
    },
  ) {}

  /** Takes WebSocket upgrades of `gatewayPath` on the HTTP server. */
  attach(httpServer: http.Server): void {
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (url.pathname !== gatewayPath) {
        socket.destroy();
        return;
      }
      this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url.searchParams));
    });
  }

  /** Sessions that identified and are still open. */
  get ready(): GatewaySession[] {
    return this.sessions.filter((s) => s.identify && !s.closed);
  }

  /** Sends a DISPATCH event to the newest ready session (Discord sends each interaction to one session). */
  dispatch(event: string, data: unknown): void {
    const session = this.ready.at(-1);
    if (!session) throw new Error(`no bot is connected to the gateway to receive ${event}`);
    this.send(session, { op: op.dispatch, t: event, s: ++session.sequence, d: data });
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, query: URLSearchParams): void {
    const session: GatewaySession = { query, heartbeats: 0, closed: false, sequence: 0, socket };
    this.sessions.push(session);
    socket.on('close', (code) => {
      session.closed = true;
      session.closeCode = code;
    });
    if (query.get('v') !== '10') return socket.close(closeCode.invalidApiVersion, 'Invalid API version');
    // JSON without transport compression is all the stand-in speaks.
    if (query.get('encoding') !== 'json' || query.has('compress')) return socket.close(closeCode.decodeError, 'Unsupported encoding or compression');
    socket.on('message', (data, isBinary) => this.receive(session, data, isBinary));
    this.send(session, { op: op.hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
  }

  private receive(session: GatewaySession, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary || !Buffer.isBuffer(data)) throw new Error('binary frame');
      payload = JSON.parse(data.toString()) as { op?: unknown; d?: unknown };
    } catch {
      session.socket.close(closeCode.decodeError, 'Decode error');
      return;
    }
    switch (payload.op) {
      case op.heartbeat:
        session.heartbeats++;
        this.send(session, { op: op.heartbeatAck });
        return;
      case op.identify:
        this.identify(session, payload.d);
        return;
      case op.resume:
        this.send(session, { op: op.invalidSession, d: false });
        return;
      default:
        session.socket.close(session.identify ? closeCode.unknownOpcode : closeCode.notAuthenticated, 'Unknown opcode');
    }
  }

  private identify(session: GatewaySession, data: unknown): void {
    const d = (data ?? {}) as Record<string, unknown>;
    if (session.identify) return session.socket.close(closeCode.alreadyAuthenticated, 'Already authenticated');
    if (d.token !== this.options.token) return session.socket.close(closeCode.authenticationFailed, 'Authentication failed');
    if (typeof d.intents !== 'number' || typeof d.properties !== 'object') return session.socket.close(closeCode.decodeError, 'Invalid identify payload');
    session.identify = d;
    session.sessionId = `session-${this.nextSession++}`;
    this.send(session, {
      op: op.dispatch,
      t: 'READY',
      s: ++session.sequence,
      d: { ...this.options.readyData(), session_id: session.sessionId, resume_gateway_url: this.options.url(), shard: d.shard ?? [0, 1] },
    });
  }

  private send(session: GatewaySession, payload: { op: number; d?: unknown; s?: number; t?: string }): void {
    session.socket.send(JSON.stringify({ s: null, t: null, d: null, ...payload }));
  }
}
