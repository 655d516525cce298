import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { adminActionHash, adminCheckpointMessage, type AttributeChange } from '../../src/access/audit/admin-actions';
import { verifyAuditChain } from '../../src/access/audit/audit-verify';
import { Pool } from 'pg';
import { entryHash, ReadAuditLog, type ReadAuditEntry } from '../../src/access/audit/read-audit';
import { auditSigningKey } from '../../src/app/services';
import { pgPool } from '../../src/platform/database/data-source';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The read audit: every response carrying firm-level data leaves one hash-chained entry, the log
 * refuses changes, `audit:verify` finds an edited, deleted or reordered entry even when the
 * triggers were bypassed, and the hub refuses to serve firm data it cannot record.
 */
describe('Read audit', () => {
  /** The NDJSON feed reads this many events per statement here, so one response is several pages. */
  const FEED_BATCH = 10;
  let t: TestHub;
  let admin: string;
  let firmId: string;
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-key-'));
  const keyFile = path.join(keyDir, 'audit.pem');
  fs.writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  const verify = () => verifyAuditChain(pgPool(t.hub.database.dataSource), { publicKey: auditSigningKey(t.config).publicKey! });
  /** Runs statements as a superuser with the triggers off, as an attacker with the database's keys would. */
  async function bypassingTriggers(statements: (query: (text: string, params?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void> {
    const client = await pgPool(t.hub.database.dataSource).connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await statements((text, params) => client.query(text, params));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  const entries = () => sql<{ seq: string; role: string; organisation: string; operation_name: string | null; juristic_ids: string[]; field_groups: string[]; lawful_basis: string | null; document_hash: string | null }>(
    'SELECT * FROM audit.read_entry ORDER BY seq',
  );

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600, env: { AUDIT_CHECKPOINT_EVERY: '5', AUDIT_SIGNING_KEY_FILE: keyFile, ELIGIBILITY_FEED_BATCH_SIZE: String(FEED_BATCH) } });
    admin = (await t.hub.services.clients.create({ name: 'ministry app', role: 'admin' })).key;
    [{ id: firmId }] = (await sql<{ id: string }>(
      `SELECT c.juristic_id AS id FROM registry.company c JOIN registry.financial_statement s USING (juristic_id) WHERE jsonb_array_length(c.directors) > 0 ORDER BY 1 LIMIT 1`,
    )) as [{ id: string }];
  });
  afterAll(async () => {
    await t?.stop();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  test('a response with firm data writes one entry naming the firms and each field group read', async () => {
    const before = (await entries()).length;
    const { body } = await t.graphql(
      `query Profile($id: JuristicId!) { company(juristicId: $id) { juristicId paidUpCapitalBaht financialStatements { fiscalYear } directors { name } eligibility { eligible } } }`,
      { id: firmId },
      admin,
    );
    expect(body.errors).toBeUndefined();
    const after = await entries();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({
      role: 'admin',
      organisation: 'admin',
      operation_name: 'Profile',
      juristic_ids: [firmId],
      field_groups: ['eligibility', 'finances', 'identity', 'persons'],
      lawful_basis: 'PUBLIC_TASK',
      document_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('a list is one entry with every firm of the page; a response without firm data writes none', async () => {
    const before = (await entries()).length;
    const page = await t.graphqlData<{ companies: { edges: { node: { juristicId: string } }[] } }>(`{ companies(first: 7) { edges { node { juristicId } } } }`, {}, admin);
    await t.graphqlData(`{ regions { code } loanProducts { code } }`, {}, admin);
    const after = await entries();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.juristic_ids).toEqual(page.companies.edges.map((e) => e.node.juristicId).sort());
    expect(after.at(-1)!.field_groups).toEqual(['identity']);
  });

  test('the log refuses UPDATE, DELETE and TRUNCATE', async () => {
    for (const statement of ['UPDATE audit.read_entry SET role = $$x$$', 'DELETE FROM audit.read_entry', 'TRUNCATE audit.read_entry', 'DELETE FROM audit.checkpoint']) {
      await expect(sql(statement)).rejects.toThrow(/append-only/);
    }
  });

  test('audit:verify passes on a whole chain, then names an edited, a deleted and a reordered entry', async () => {
    // Enough entries for checkpoints (every 5) and room to tamper.
    for (let i = 0; i < 12; i++) await t.graphqlData(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: firmId }, admin);
    const whole = await verify();
    expect(whole.problem).toBeUndefined();
    expect(whole.verified).toBeGreaterThanOrEqual(14);
    expect(whole.checkpoints).toBeGreaterThanOrEqual(2);

    // Edited (triggers bypassed), then put back.
    await bypassingTriggers((q) => q(`UPDATE audit.read_entry SET client_name = 'someone else' WHERE seq = 3`).then(() => undefined));
    expect((await verify()).problem).toMatchObject({ seq: 3, kind: 'edited' });
    await bypassingTriggers((q) => q(`UPDATE audit.read_entry SET client_name = 'ministry app' WHERE seq = 3`).then(() => undefined));
    expect((await verify()).problem).toBeUndefined();

    // Deleted, then put back.
    const [saved] = await sql<Record<string, unknown>>('SELECT to_jsonb(e) AS row FROM audit.read_entry e WHERE seq = 4');
    await bypassingTriggers((q) => q('DELETE FROM audit.read_entry WHERE seq = 4').then(() => undefined));
    expect((await verify()).problem).toMatchObject({ seq: 4, kind: 'deleted' });
    await bypassingTriggers((q) => q('INSERT INTO audit.read_entry SELECT * FROM jsonb_populate_record(NULL::audit.read_entry, $1)', [saved!['row']]).then(() => undefined));
    expect((await verify()).problem).toBeUndefined();

    // Reordered: two entries trade places.
    await bypassingTriggers(async (q) => {
      await q('UPDATE audit.read_entry SET seq = 999999999 WHERE seq = 6');
      await q('UPDATE audit.read_entry SET seq = 6 WHERE seq = 7');
      await q('UPDATE audit.read_entry SET seq = 7 WHERE seq = 999999999');
    });
    expect((await verify()).problem).toMatchObject({ seq: 6, kind: 'reordered' });
    await bypassingTriggers(async (q) => {
      await q('UPDATE audit.read_entry SET seq = 999999999 WHERE seq = 6');
      await q('UPDATE audit.read_entry SET seq = 6 WHERE seq = 7');
      await q('UPDATE audit.read_entry SET seq = 7 WHERE seq = 999999999');
    });
    expect((await verify()).problem).toBeUndefined();

    // The newest entries deleted: the head and the checkpoints still count them.
    const [{ last }] = (await sql<{ last: string }>('SELECT max(seq) AS last FROM audit.read_entry')) as [{ last: string }];
    const [tail] = await sql<Record<string, unknown>>('SELECT to_jsonb(e) AS row FROM audit.read_entry e WHERE seq = $1', [last]);
    await bypassingTriggers((q) => q('DELETE FROM audit.read_entry WHERE seq = $1', [last]).then(() => undefined));
    expect((await verify()).problem).toMatchObject({ seq: Number(last), kind: 'truncated' });
    await bypassingTriggers((q) => q('INSERT INTO audit.read_entry SELECT * FROM jsonb_populate_record(NULL::audit.read_entry, $1)', [tail!['row']]).then(() => undefined));
    expect((await verify()).problem).toBeUndefined();
  });

  test('a chain rewritten from an edited entry on is caught by the signed checkpoints', async () => {
    const rows = await sql<Record<string, unknown> & { seq: string; at: Date }>('SELECT * FROM audit.read_entry ORDER BY seq');
    const rewritten = rows.map((r) => ({
      seq: Number(r.seq), at: r.at, requestId: r['request_id'] as string, clientId: r['client_id'] as string, clientName: r['client_name'] as string,
      role: r['role'] as string, organisation: r['organisation'] as string, operationName: r['operation_name'] as string | null, documentHash: r['document_hash'] as string | null,
      juristicIds: r['juristic_ids'] as string[], entities: r['entities'] as string[], fieldGroups: r['field_groups'] as string[], purpose: r['purpose'] as string | null,
      lawfulBasis: r['lawful_basis'] as string | null, consentIds: r['consent_ids'] as string[], prevHash: '', hash: '',
    })) satisfies ReadAuditEntry[];
    rewritten[1]!.juristicIds = ['0000000000000'];
    let prev = '0'.repeat(64);
    for (const entry of rewritten) {
      entry.prevHash = prev;
      entry.hash = entryHash(prev, entry);
      prev = entry.hash;
    }
    const original = rows.map((r) => ({ seq: r.seq, juristic_ids: r['juristic_ids'], prev_hash: r['prev_hash'], hash: r['hash'] }));
    const write = (list: { seq: string | number; juristic_ids: unknown; prev_hash: unknown; hash: unknown }[]) =>
      bypassingTriggers(async (q) => {
        for (const r of list) await q('UPDATE audit.read_entry SET juristic_ids = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [r.seq, r.juristic_ids, r.prev_hash, r.hash]);
      });
    await write(rewritten.map((e) => ({ seq: e.seq, juristic_ids: e.juristicIds, prev_hash: e.prevHash, hash: e.hash })));
    expect((await verify()).problem).toMatchObject({ seq: 5, kind: 'checkpoint' });
    await write(original);
    expect((await verify()).problem).toBeUndefined();
  });

  test('npm run hub -- audit:verify says "verified N entries", and exits non-zero naming the entry at fault', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['scripts/run-built.mjs', 'src/cli.js', 'audit:verify', ...args], {
        env: { ...process.env, DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY_FILE: keyFile, LOG_LEVEL: 'silent' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const whole = await run([]);
    expect(whole).toEqual({ code: 0, stdout: expect.stringMatching(/^verified \d+ entries .*signatures checked/) });
    await bypassingTriggers((q) => q(`UPDATE audit.read_entry SET organisation = 'bank:EXIM' WHERE seq = 2`).then(() => undefined));
    const broken = await run(['--since', '2000-01-01']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/broken at entry 2 \(edited\)/);
    await bypassingTriggers((q) => q(`UPDATE audit.read_entry SET organisation = 'admin' WHERE seq = 2`).then(() => undefined));
  }, 240_000);

  test('client:update --purpose changes what a client declares, as an audited admin action, and the hub follows', async () => {
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['scripts/run-built.mjs', 'src/cli.js', ...args], {
        env: { ...process.env, DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY_FILE: keyFile, LOG_LEVEL: 'silent' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
      );
    const key = (await t.hub.services.clients.create({ name: 'purpose-bank', role: 'bank', bankCode: 'SMED', purpose: 'trade finance' })).key;
    const read = async (): Promise<string | null> => {
      await t.graphqlData(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: firmId }, key);
      return (await sql<{ purpose: string | null }>(`SELECT purpose FROM audit.read_entry WHERE client_name = 'purpose-bank' ORDER BY seq DESC LIMIT 1`))[0]!.purpose;
    };
    expect(await read()).toBe('trade finance');

    // Hostile first: an empty purpose, an unknown basis, an unknown client change nothing.
    expect((await cli(['client:update', 'purpose-bank', '--purpose', '  '])).code).toBe(2);
    expect((await cli(['client:update', 'purpose-bank', '--lawful-basis', 'BECAUSE'])).code).toBe(2);
    expect((await cli(['client:update', 'no-such-client', '--purpose', 'x'])).code).toBe(1);
    expect(await sql(`SELECT * FROM audit.admin_action WHERE action = 'client:update' AND subject = (SELECT 'ApiClient:' || id FROM access.api_client WHERE name = 'purpose-bank')`)).toEqual([]);

    // client:create is an admin action too: who made which client, with what it was given (never its key).
    const created = await cli(['client:create', '--name', 'office-by-cli', '--role', 'province', '--province', '50', '--purpose', 'local industry support']);
    expect(created.code).toBe(0);
    const newKey = created.stdout.trim().split('\n').at(-1)!;
    const [{ id: officeId, key_prefix: keyPrefix }] = (await sql<{ id: string; key_prefix: string }>(`SELECT id, key_prefix FROM access.api_client WHERE name = 'office-by-cli'`)) as [{ id: string; key_prefix: string }];
    const [creation] = await sql<{ actor: string; action: string; changes: unknown }>(`SELECT actor, action, changes FROM audit.admin_action WHERE subject = $1`, [`ApiClient:${officeId}`]);
    expect(creation).toEqual({
      actor: expect.stringMatching(/^cli:.+@.+/),
      action: 'client:create',
      changes: [
        ['name', null, 'office-by-cli'],
        ['role', null, 'province'],
        ['provinceCode', null, '50'],
        ['keyPrefix', null, keyPrefix],
        ['purpose', null, 'local industry support'],
      ],
    });
    expect(JSON.stringify(creation)).not.toContain(newKey);
    // A refused creation records nothing.
    expect((await cli(['client:create', '--name', 'no-bank', '--role', 'bank'])).code).not.toBe(0);
    expect(await sql(`SELECT * FROM audit.admin_action WHERE changes::text LIKE '%no-bank%'`)).toEqual([]);

    const updated = await cli(['client:update', 'purpose-bank', '--purpose', 'working capital loan application', '--lawful-basis', 'CONTRACT']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/updated .* purpose "trade finance" -> "working capital loan application", lawfulBasis null -> "CONTRACT"/);
    // The running hub learns of it by NOTIFY; its next reads are recorded under the new purpose.
    let purpose: string | null = null;
    for (let i = 0; i < 50 && purpose !== 'working capital loan application'; i++) {
      purpose = await read();
      if (purpose !== 'working capital loan application') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(purpose).toBe('working capital loan application');
    const [action] = await sql<{ actor: string; action: string; subject: string; changes: unknown }>(`SELECT actor, action, subject, changes FROM audit.admin_action ORDER BY seq DESC LIMIT 1`);
    const [{ id }] = (await sql<{ id: string }>(`SELECT id FROM access.api_client WHERE name = 'purpose-bank'`)) as [{ id: string }];
    expect(action).toEqual({
      actor: expect.stringMatching(/^cli:.+@.+/),
      action: 'client:update',
      subject: `ApiClient:${id}`,
      changes: [
        ['purpose', 'trade finance', 'working capital loan application'],
        ['lawfulBasis', null, 'CONTRACT'],
      ],
    });
    // The same change again changes nothing and records nothing.
    expect((await cli(['client:update', 'purpose-bank', '--purpose', 'working capital loan application'])).stdout).toMatch(/^unchanged /);
    expect(await sql(`SELECT count(*)::int AS n FROM audit.admin_action WHERE action = 'client:update' AND subject = $1`, [`ApiClient:${id}`])).toEqual([{ n: 1 }]);

    // Admin actions are append-only and chained: audit:verify counts them and names an edited one.
    await expect(sql(`DELETE FROM audit.admin_action`)).rejects.toThrow(/append-only/);
    expect((await cli(['audit:verify'])).stdout).toMatch(/^verified \d+ entries .* and [1-9]\d* admin actions/);
    await bypassingTriggers((q) => q(`UPDATE audit.admin_action SET changes = '[["purpose", "trade finance", "marketing"]]' WHERE action = 'client:update' AND subject = $1`, [`ApiClient:${id}`]).then(() => undefined));
    const broken = await cli(['audit:verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/admin actions broken at action \d+ \(edited\): .* was edited/);
    await bypassingTriggers((q) =>
      q(`UPDATE audit.admin_action SET changes = $2::jsonb WHERE action = 'client:update' AND subject = $1`, [
        `ApiClient:${id}`,
        JSON.stringify([['purpose', 'trade finance', 'working capital loan application'], ['lawfulBasis', null, 'CONTRACT']]),
      ]).then(() => undefined),
    );
    expect((await cli(['audit:verify'])).code).toBe(0);
  }, 240_000);

  test('admin actions are checkpointed and signed: audit:verify names deleted newest actions, a rewritten checkpoint, a missing or bad signature', async () => {
    const run = (args: string[], { withKey = true } = {}) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'silent' };
      delete env['AUDIT_SIGNING_KEY_FILE'];
      if (withKey) env['AUDIT_SIGNING_KEY_FILE'] = keyFile;
      return promisify(execFile)(process.execPath, ['scripts/run-built.mjs', 'src/cli.js', ...args], { env }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
      );
    };
    expect((await run(['client:create', '--name', 'checkpointed-office', '--role', 'province', '--province', '50'])).code).toBe(0);
    expect((await run(['client:update', 'checkpointed-office', '--purpose', 'local industry support'])).code).toBe(0);
    const [{ n }] = (await sql<{ n: number }>('SELECT max(seq)::int AS n FROM audit.admin_action')) as [{ n: number }];
    // Every action (all written after the migration here) has its own checkpoint, signed with the configured key.
    expect(await sql('SELECT count(*)::int AS checkpoints, count(signature)::int AS signed FROM audit.admin_checkpoint')).toEqual([{ checkpoints: n, signed: n }]);
    await expect(sql('DELETE FROM audit.admin_checkpoint')).rejects.toThrow(/append-only/);
    await expect(sql('UPDATE audit.admin_checkpoint SET signature = NULL')).rejects.toThrow(/append-only/);
    const whole = await run(['audit:verify']);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toMatch(new RegExp(`signatures checked\\) and ${n} admin actions \\(${n} checkpoints\\) in`));

    // The two newest actions deleted with the triggers off: their checkpoints still count them.
    const saved = await sql<{ row: unknown }>('SELECT to_jsonb(a) AS row FROM audit.admin_action a WHERE seq >= $1 ORDER BY seq', [n - 1]);
    await bypassingTriggers((q) => q('DELETE FROM audit.admin_action WHERE seq >= $1', [n - 1]).then(() => undefined));
    const truncated = await run(['audit:verify']);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(new RegExp(`admin actions broken at action ${n - 1} \\(truncated\\): admin actions ${n - 1} to ${n} are missing: the newest admin actions were deleted`));
    await bypassingTriggers(async (q) => {
      for (const { row } of saved) await q('INSERT INTO audit.admin_action SELECT * FROM jsonb_populate_record(NULL::audit.admin_action, $1)', [row]);
    });
    expect((await run(['audit:verify'])).code).toBe(0);

    // A checkpoint's hash edited: the chain no longer matches it (with the key or without).
    const [checkpoint] = (await sql<{ hash: string; at: Date; signature: string; key_id: string }>('SELECT hash, at, signature, key_id FROM audit.admin_checkpoint WHERE seq = $1', [n - 1])) as [
      { hash: string; at: Date; signature: string; key_id: string },
    ];
    await bypassingTriggers((q) => q(`UPDATE audit.admin_checkpoint SET hash = repeat('f', 64) WHERE seq = $1`, [n - 1]).then(() => undefined));
    for (const withKey of [true, false]) {
      const rewritten = await run(['audit:verify'], { withKey });
      expect(rewritten.code).toBe(1);
      expect(rewritten.stdout).toMatch(new RegExp(`admin actions broken at action ${n - 1} \\(checkpoint\\): admin action ${n - 1} differs from its checkpoint .*: the chain was rewritten`));
    }
    const restoreCheckpoint = () =>
      bypassingTriggers((q) => q('UPDATE audit.admin_checkpoint SET hash = $2, signature = $3, key_id = $4 WHERE seq = $1', [n - 1, checkpoint.hash, checkpoint.signature, checkpoint.key_id]).then(() => undefined));
    await restoreCheckpoint();

    // Unsigned, with a key configured: refused (without a key there is nothing to check it with).
    await bypassingTriggers((q) => q('UPDATE audit.admin_checkpoint SET signature = NULL, key_id = NULL WHERE seq = $1', [n - 1]).then(() => undefined));
    const unsigned = await run(['audit:verify']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(new RegExp(`admin actions broken at action ${n - 1} \\(checkpoint\\): the checkpoint of admin action ${n - 1} is not signed`));
    expect((await run(['audit:verify'], { withKey: false })).code).toBe(0);
    // Signed with another key, over the right message: the signature does not verify.
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const forgedSignature = sign(null, adminCheckpointMessage(n - 1, checkpoint.hash, checkpoint.at), otherKey).toString('base64');
    await bypassingTriggers((q) => q('UPDATE audit.admin_checkpoint SET signature = $2, key_id = $3 WHERE seq = $1', [n - 1, forgedSignature, checkpoint.key_id]).then(() => undefined));
    const badlySigned = await run(['audit:verify']);
    expect(badlySigned.code).toBe(1);
    expect(badlySigned.stdout).toMatch(new RegExp(`admin actions broken at action ${n - 1} \\(checkpoint\\): the checkpoint of admin action ${n - 1}: its signature does not verify with the configured key`));
    await restoreCheckpoint();
    expect((await run(['audit:verify'])).code).toBe(0);

    // An action forged onto the end with a correct hash: no checkpoint; with an unsigned one, not signed.
    const [{ hash: lastHash }] = (await sql<{ hash: string }>('SELECT hash FROM audit.admin_action WHERE seq = $1', [n])) as [{ hash: string }];
    const forged = { at: new Date(), actor: 'cli:someone@elsewhere', action: 'client:revoke', subject: 'ApiClient:00000000-0000-0000-0000-000000000000', changes: [['revokedAt', null, '2026-01-01T00:00:00.000Z']] as AttributeChange[] };
    const forgedHash = adminActionHash(lastHash, n + 1, forged);
    await sql('INSERT INTO audit.admin_action (seq, at, actor, action, subject, changes, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)', [
      n + 1, forged.at, forged.actor, forged.action, forged.subject, JSON.stringify(forged.changes), lastHash, forgedHash,
    ]);
    const noCheckpoint = await run(['audit:verify']);
    expect(noCheckpoint.code).toBe(1);
    expect(noCheckpoint.stdout).toMatch(new RegExp(`admin actions broken at action ${n + 1} \\(checkpoint\\): admin action ${n + 1} has no checkpoint`));
    await sql('INSERT INTO audit.admin_checkpoint (seq, hash, at) VALUES ($1, $2, $3)', [n + 1, forgedHash, forged.at]);
    expect((await run(['audit:verify'])).stdout).toMatch(new RegExp(`admin actions broken at action ${n + 1} \\(checkpoint\\): the checkpoint of admin action ${n + 1} is not signed`));
    await bypassingTriggers(async (q) => {
      await q('DELETE FROM audit.admin_checkpoint WHERE seq = $1', [n + 1]);
      await q('DELETE FROM audit.admin_action WHERE seq = $1', [n + 1]);
    });
    expect(await run(['audit:verify'])).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`and ${n} admin actions \\(${n} checkpoints\\) in`)) });
  }, 240_000);

  type FeedLine = { cursor: string; position: string; juristicId: string };
  async function feed(key: string, params: Record<string, string>): Promise<{ status: number; body: string; lines: FeedLine[] }> {
    const response = await fetch(`${t.baseUrl}/feeds/eligibility?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    return { status: response.status, body, lines: response.status === 200 ? body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedLine).filter((l) => l.cursor) : [] };
  }
  const feedEntries = async (since: number) =>
    (await entries()).filter((e) => Number(e.seq) > since && e.operation_name === 'GET /feeds/eligibility') as (Awaited<ReturnType<typeof entries>>[number] & { entities: string[]; purpose: string | null })[];

  test('the NDJSON eligibility feed writes one entry per page it serves: the bank, the firms, the positions, the purpose', async () => {
    const bank = (await t.hub.services.clients.create({ name: 'SME D sync', role: 'bank', bankCode: 'SMED', purpose: 'loan eligibility sync' })).key;
    const head = Number((await sql<{ seq: string }>('SELECT seq FROM audit.chain_head'))[0]!.seq);
    const served = await feed(bank, { limit: String(3 * FEED_BATCH + 5) });
    expect(served.status).toBe(200);
    expect(served.lines).toHaveLength(3 * FEED_BATCH + 5);
    const written = await feedEntries(head);
    // One entry per statement's page of events (10, 10, 10, 5), each written before its events went out.
    expect(written).toHaveLength(4);
    for (const [i, entry] of written.entries()) {
      const page = served.lines.slice(i * FEED_BATCH, (i + 1) * FEED_BATCH);
      expect(entry).toMatchObject({
        role: 'bank',
        organisation: 'bank:SMED',
        field_groups: ['eligibility'],
        lawful_basis: 'CONSENT',
        purpose: 'loan eligibility sync',
        juristic_ids: [...new Set(page.map((l) => l.juristicId))].sort(),
        entities: [`EligibilityFeed:SMED:${page[0]!.position}..${page.at(-1)!.position}`],
      });
    }
    // A page with no events (resuming at the end) reads no firm: no entry.
    const after = Number((await sql<{ seq: string }>('SELECT seq FROM audit.chain_head'))[0]!.seq);
    const all = await feed(bank, { limit: '1000000' });
    expect((await feed(bank, { after: all.lines.at(-1)!.cursor })).lines).toEqual([]);
    expect((await feedEntries(after)).length).toBe(Math.ceil(all.lines.length / FEED_BATCH));
    expect((await verify()).problem).toBeUndefined();
  });

  test('when the audit cannot be written, the feed serves no event: 503 SERVICE_UNAVAILABLE', async () => {
    const bank = (await t.hub.services.clients.create({ name: 'EXIM sync', role: 'bank', bankCode: 'EXIM' })).key;
    await sql('ALTER TABLE audit.read_entry ADD CONSTRAINT audit_down CHECK (false) NOT VALID');
    try {
      const refused = await feed(bank, { limit: '5' });
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({ errors: [{ message: expect.any(String), extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) }] });
    } finally {
      await sql('ALTER TABLE audit.read_entry DROP CONSTRAINT audit_down');
    }
    expect((await feed(bank, { limit: '5' })).lines).toHaveLength(5);
  });

  test('when the audit cannot be written, firm data is not served (503 SERVICE_UNAVAILABLE); other answers go on', async () => {
    await sql('ALTER TABLE audit.read_entry ADD CONSTRAINT audit_down CHECK (false) NOT VALID');
    try {
      const { status, body } = await t.graphql(`query($id: JuristicId!) { company(juristicId: $id) { juristicId nameTh } }`, { id: firmId }, admin);
      expect(status).toBe(503);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toContain(firmId);
      expect((await t.graphql(`{ regions { code } }`, {}, admin)).status).toBe(200);
    } finally {
      await sql('ALTER TABLE audit.read_entry DROP CONSTRAINT audit_down');
    }
    expect((await t.graphql(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: firmId }, admin)).status).toBe(200);
    expect((await verify()).problem).toBeUndefined();
  });

  test('two writers appending at once, as two API processes do, make one unbroken chain (Thai text, quotes and newlines included)', async () => {
    const pools = [new Pool({ ...pgPool(t.hub.database.dataSource).options, max: 3 }), new Pool({ ...pgPool(t.hub.database.dataSource).options, max: 3 })];
    try {
      const writers = pools.map((pool) => new ReadAuditLog(pool, { checkpointEvery: 7, checkpointIntervalMs: 3_600_000, ...auditSigningKey(t.config) }));
      const before = (await sql<{ seq: string }>('SELECT seq FROM audit.chain_head'))[0]!.seq;
      const entry = (writer: number, i: number) => ({
        at: new Date(Date.UTC(2026, 11, 7, 12, 0, i)),
        requestId: `concurrent-${writer}-${i}`,
        clientId: '00000000-0000-4000-8000-00000000000' + String(writer),
        clientName: `ธนาคาร "ทดสอบ" ${writer}\nline`,
        role: 'bank',
        organisation: 'bank:SMED',
        operationName: i % 2 ? null : 'Screening',
        documentHash: null,
        juristicIds: [firmId, `010555${String(i).padStart(7, '0')}`],
        entities: i % 3 ? [] : ['Factory:ข-1'],
        fieldGroups: ['identity', 'finance'],
        purpose: i % 2 ? null : 'สินเชื่อ \\ 100%',
        lawfulBasis: null,
        consentIds: [],
      });
      // Each writer groups what arrives while its write is in flight: batches of several entries, interleaved.
      await Promise.all(writers.flatMap((writer, w) => Array.from({ length: 30 }, (_, i) => writer.record(entry(w, i)))));
      const rows = await sql<{ seq: string; request_id: string }>('SELECT seq, request_id FROM audit.read_entry WHERE seq > $1 ORDER BY seq', [before]);
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 60 }, (_, i) => Number(before) + 1 + i));
      expect(new Set(rows.map((r) => r.request_id)).size).toBe(60);
      const [head] = await sql<{ seq: string }>('SELECT seq FROM audit.chain_head');
      expect(Number(head!.seq)).toBe(Number(before) + 60);
      // Every hash is the one entryHash gives (audit:verify recomputes them in JavaScript), and the checkpoints match.
      const verification = await verify();
      expect(verification.problem).toBeUndefined();
      expect(verification.checkpoints).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
