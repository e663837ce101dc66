/**
 * Test helpers for email delivery: a real SMTP server (smtp-server) on loopback that keeps what
 * arrives, a real PDF made with pdfkit, temporary directories, a free port.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ArrivedMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  secure: boolean;
  user: string | undefined;
}

export interface SmtpSink {
  port: number;
  /** Messages the server accepted (replied 250 to). */
  messages: ArrivedMessage[];
  /** Messages read in full whose reply was never sent (dropReply). */
  dropped: ArrivedMessage[];
  /** Connections the server has seen (each nodemailer attempt opens one). */
  connections: number;
  /** RCPT TO commands the server has seen, accepted or not. */
  rcptAttempts: string[];
  close(): Promise<void>;
}

export interface SinkOptions {
  port?: number;
  /** Reply code for a recipient (e.g. 550, 451); undefined accepts it. */
  rcptReply?: (address: string) => number | undefined;
  /** Require AUTH with these credentials (PLAIN/LOGIN over plain text: loopback only). */
  auth?: { user: string; pass: string };
  /** Implicit TLS (smtps) or STARTTLS offered, with smtp-server's built-in test certificate. */
  tls?: 'implicit' | 'starttls';
  /**
   * Called when a message's data has been read, before the server replies. Returning true cuts
   * every connection instead of replying: the client cannot know whether the message was taken.
   */
  dropReply?: (m: ArrivedMessage) => boolean;
}

/** Starts smtp-server on 127.0.0.1; `await sink.close()` in teardown. */
export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: ArrivedMessage[] = [];
  const rcptAttempts: string[] = [];
  const dropped: ArrivedMessage[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const options: SMTPServerOptions = {
    logger: false,
    secure: opts.tls === 'implicit',
    disabledCommands: [...(opts.tls === 'starttls' ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    closeTimeout: 200,
    onConnect(_session, cb) {
      connections += 1;
      cb();
    },
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass)
        return cb(null, { user: auth.username });
      const err = new Error('Authentication failed') as Error & { responseCode: number };
      err.responseCode = 535;
      return cb(err);
    },
    onRcptTo(address, _session, cb) {
      rcptAttempts.push(address.address);
      const code = opts.rcptReply?.(address.address);
      if (code === undefined) return cb();
      const err = new Error(code >= 500 ? 'No such user here' : 'Mailbox temporarily unavailable') as Error & {
        responseCode: number;
      };
      err.responseCode = code;
      return cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const m: ArrivedMessage = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        if (opts.dropReply?.(m)) {
          dropped.push(m);
          for (const socket of sockets) socket.destroy();
          return;
        }
        messages.push(m);
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  server.server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.server.address();
      if (addr && typeof addr === 'object') resolve(addr.port);
      else reject(new Error('no port'));
    });
  });
  const sink: SmtpSink = {
    port,
    messages,
    dropped,
    rcptAttempts,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

/** A port on 127.0.0.1 that was free a moment ago (nothing listens on it afterwards). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (!addr || typeof addr !== 'object') throw new Error('no port');
  return addr.port;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a small real PDF (pdfkit) and returns its path and sha256. */
export async function makePdf(
  dir: string,
  name = 'letter.pdf',
  text = 'Guidance opinion letter (test)',
): Promise<{ path: string; sha256: string; bytes: Buffer }> {
  const file = path.join(dir, name);
  await new Promise<void>((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: 'test letter', CreationDate: new Date(0) } });
    const out = createWriteStream(file);
    out.on('finish', resolve);
    out.on('error', reject);
    doc.pipe(out);
    doc.fontSize(16).text(text);
    doc.end();
  });
  const bytes = await fs.readFile(file);
  return { path: file, sha256: sha256(bytes), bytes };
}

export const BUREAU = { name: '河洛市应急管理局', address: 'zhidao@heluo.example.cn' };
export const COUNTY = { name: '香山县应急管理局', address: 'yjj@xiangshan.example.cn' };
export const COUNTY2 = { name: '香山县应急管理局（备用）', address: 'backup@xiangshan.example.cn' };
export const LEADER = { name: '郑远', address: 'zhengyuan@heluo.example.cn' };
export const SUPERVISOR = { name: '孙立', address: 'sunli@heluo.example.cn' };
export const LETTER_FILENAME = '河洛应急指导〔2027〕3号-安全生产执法指导意见书.pdf';
/** The filename the issue gives as its example. */
export const ISSUE_FILENAME = '漯应急指导〔2022〕3号-安全生产执法指导意见书.pdf';
